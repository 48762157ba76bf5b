"""Constants of the Unity REST API as the reference records them: enums, health texts, the upgrade
task captions and their real estimates, eligibility message texts, error codes and models.

Numeric enum values are the ones verified from real-array metadata (reference section 3.2). Health
description ids, eligibility codes other than ``flr::check_server_connectivity_2`` and the error codes
other than 0x7d13005 (404) and 0x5 (422) are realistic inventions: the reference has no catalogue.
"""

# --- enums ---------------------------------------------------------------------------------------

HEALTH = {0: "UNKNOWN", 5: "OK", 7: "OK_BUT", 10: "DEGRADED", 15: "MINOR", 20: "MAJOR",
          25: "CRITICAL", 30: "NON_RECOVERABLE"}
HEALTH_BY_NAME = {v: k for k, v in HEALTH.items()}
HEALTH_OK_BUT = 7

UPGRADE_STATUS = {
    0: "Upgrade_Not_Started", 1: "Upgrade_In_Progress", 2: "Upgrade_Completed", 3: "Upgrade_Failed",
    4: "Upgrade_Failed_Lock", 5: "Upgrade_Cancelled", 6: "Upgrade_Paused", 7: "Upgrade_Acknowledged",
    8: "Upgrade_Waiting_For_User", 9: "Upgrade_Paused_Lock",
}
STATUS_BY_NAME = {v.lower(): k for k, v in UPGRADE_STATUS.items()}
NOT_STARTED, IN_PROGRESS, COMPLETED, FAILED, FAILED_LOCK = 0, 1, 2, 3, 4
CANCELLED, PAUSED, ACKNOWLEDGED, WAITING_FOR_USER, PAUSED_LOCK = 5, 6, 7, 8, 9
ACTIVE_STATUSES = frozenset({0, 1, 3, 4, 6, 8, 9})
RESUMABLE_STATUSES = frozenset({PAUSED, PAUSED_LOCK, FAILED, FAILED_LOCK})
CANCELLABLE_STATUSES = frozenset({PAUSED, FAILED})
ACKNOWLEDGEABLE_STATUSES = frozenset({COMPLETED, CANCELLED})

SESSION_TYPE = {0: "Upgrade", 1: "Health_Check", 2: "Storageprocessor_Upgrade",
                3: "Offline_Storageprocessor_Upgrade"}
UPGRADE, HEALTH_CHECK = 0, 1
SP_UPGRADE_TYPES = frozenset({2, 3})

CANDIDATE_TYPE = {0: "Software", 1: "Firmware", 2: "LanguagePack"}
SOFTWARE, FIRMWARE = 0, 1

SEVERITY = {0: "EMERGENCY", 1: "ALERT", 2: "CRITICAL", 3: "ERROR", 4: "WARNING", 5: "NOTICE",
            6: "INFO", 7: "DEBUG", 8: "OK"}
SEV_ERROR, SEV_WARNING = 3, 4

JOB_STATE = {1: "Queued", 2: "Running", 3: "Suspended", 4: "Completed", 5: "Failed",
             6: "Rolling_Back", 7: "Completed_With_Problems"}

SP_MODEL = {1: "SP300", 2: "SP400", 3: "SP500", 4: "SP600", 5: "SP350", 6: "SP450", 7: "SP550",
            8: "SP650", 9: "VSA2Core", 10: "VSA12Core", 11: "SP380", 12: "SP480", 13: "SP680",
            14: "SP880"}
SP_MODEL_BY_NAME = {v.lower(): k for k, v in SP_MODEL.items()}

SESSION_RESOURCES = ("upgradeSession", "softwareUpgradeSession")

# --- health texts --------------------------------------------------------------------------------

_FIX = ("fix_problems", "/help/webhelp/en_US/index.htm?#vxeuni_t_fix_underlying_problems.html")
_CALL = ("contact_service_provider", "/help/webhelp/en_US/index.htm?#vxeuni_t_contact_service.html")

SYSTEM_HEALTH_TEXT = {
    0: ("ALRT_SYSTEM_UNKNOWN", "The health of the system cannot be determined. Check related alerts.",
        _FIX),
    5: ("ALRT_SYSTEM_OK", "The system is operating normally.", None),
    7: ("ALRT_SYSTEM_OK_BUT", "The system is operating normally, but one or more components need "
        "attention. Check related alerts.", _FIX),
    10: ("ALRT_SYSTEM_DEGRADED", "The system is operating in a degraded mode. Check related alerts "
         "and fix the underlying problems.", _FIX),
    15: ("ALRT_SYSTEM_MINOR_FAILURE", "The system has experienced one or more minor failures. Check "
         "related alerts and fix the underlying problems.", _FIX),
    20: ("ALRT_SYSTEM_MAJOR_FAILURE", "The system has experienced one or more major failures, which "
         "have significant impact on the system. You need to take immediate action. Check related "
         "alerts and fix the underlying problems.", _FIX),
    25: ("ALRT_SYSTEM_CRITICAL_FAILURE", "The system has experienced a critical failure and may have "
         "lost data. You need to take immediate action. Check related alerts and fix the underlying "
         "problems.", _CALL),
    30: ("ALRT_SYSTEM_NON_RECOVERABLE", "The system has experienced a non-recoverable failure. "
         "Contact your service provider.", _CALL),
}

SP_HEALTH_TEXT = {
    0: ("ALRT_SP_UNKNOWN", "The health of the storage processor cannot be determined.", _FIX),
    5: ("ALRT_COMPONENT_OK", "The component is operating normally. No action is required.", None),
    7: ("ALRT_SP_OK_BUT", "The storage processor is operating normally, but needs attention. Check "
        "related alerts.", _FIX),
    10: ("ALRT_SP_DEGRADED", "The storage processor is operating in a degraded mode. Check related "
         "alerts and fix the underlying problems.", _FIX),
    15: ("ALRT_SP_MINOR", "The storage processor has a minor problem. Check related alerts and fix "
         "the underlying problems.", _FIX),
    20: ("ALRT_SP_FAULTED", "The storage processor has faulted. Replace the storage processor or "
         "contact your service provider.", _CALL),
    25: ("ALRT_SP_CRITICAL", "The storage processor has a critical failure. Contact your service "
         "provider.", _CALL),
    30: ("ALRT_SP_NON_RECOVERABLE", "The storage processor has a non-recoverable failure. Contact "
         "your service provider.", _CALL),
}


def health_object(value, texts):
    did, text, resolution = texts.get(value, texts[0])
    health = {"value": value, "descriptionIds": [did], "descriptions": [text]}
    if resolution:  # an OK component carries no resolution (storops' real spa.json fixture)
        health["resolutionIds"] = [resolution[0]]
        health["resolutions"] = [resolution[1]]
    return health


# --- upgrade tasks -------------------------------------------------------------------------------

# The twelve captions and estRemainTime values of the real Unity 380F session (reference 3.4).
UPGRADE_TASKS = (
    ("Preparing system", 210),
    ("Performing health checks", 70),
    ("Preparing system software", 970),
    ("Waiting for reboot command", 5),
    ("Performing health checks", 65),
    ("Installing new software on peer SP", 1010),
    ("Rebooting peer SP", 855),
    ("Restarting services on peer SP", 300),
    ("Installing new software on primary SP", 810),
    ("Rebooting the primary SP", 835),
    ("Restarting services on primary SP", 310),
    ("Final tasks", 45),
)
REAL_UPGRADE_SECONDS = sum(est for caption, est in UPGRADE_TASKS)  # 5485 s, about 91 minutes
HEALTH_CHECK_TASKS = (("Performing health checks", 70),)
# Drive firmware packages have no recorded task list: an invented, reboot-free one.
FIRMWARE_TASKS = (("Preparing system", 60), ("Performing health checks", 70),
                  ("Upgrading drive firmware", 600), ("Final tasks", 45))
HEALTH_TASK = "Performing health checks"
WAIT_TASK = "Waiting for reboot command"
# The SP each reboot takes down, and whose resources fail back once its services restarted: the
# primary SP (the one serving the management API) is taken to be SP A (UNCONFIRMED).
REBOOT_TASKS = {"Rebooting peer SP": "spb", "Rebooting the primary SP": "spa"}
PEER_SERVICES_TASK = "Restarting services on peer SP"
RESTART_TASKS = {PEER_SERVICES_TASK: "spb", "Restarting services on primary SP": "spa"}
PEER_SP = {"spa": "spb", "spb": "spa"}
NODE = {"spa": 0, "spb": 1}  # NodeEnum (reference: 0 = SPA, 1 = SPB)

# --- eligibility / health-check messages ---------------------------------------------------------

_SUPPORT = ("Record the error code and search the Dell Online Support website for available support "
            "options.")
CHECK_TEXT = {
    "flr::check_server_connectivity_2": "The health check has failed. If an SP has to fail over, one "
    "or more of your servers do not have redundant communication paths and could cause data "
    "unavailable or data loss errors. " + _SUPPORT,
    "flr::check_if_storage_pool_recovery_is_required_3": "The health check has failed. One or more "
    "storage pools require recovery before the upgrade can proceed. " + _SUPPORT,
    "flr::check_system_health_1": "The health check has failed. The system health is {health}; all "
    "system components must be healthy before the system software is upgraded. Check related "
    "alerts and fix the underlying problems.",
    "flr::check_sp_health_1": "The health check has failed. The health of {sp} is {health}; both "
    "storage processors must be healthy before the system software is upgraded. " + _SUPPORT,
    "flr::check_upgrade_in_progress_1": "The health check has failed. Another upgrade session is "
    "active on the system. Wait for it to finish, or resume or cancel it.",
    "flr::check_replication_sessions_1": "The health check found replication sessions that will be "
    "paused during the upgrade. They resume automatically when the upgrade completes.",
    "flr::check_host_multipathing_1": "The health check found hosts with a single active path to the "
    "storage system. Host I/O may be interrupted while an SP reboots.",
    "flr::check_drive_firmware_1": "The health check found drives whose firmware is older than the "
    "recommended version. Upgrade the drive firmware after the software upgrade.",
}
FRAMEWORK_ERROR_CODE = "flr::check_framework_error_1"
CHECK_TEXT[FRAMEWORK_ERROR_CODE] = ("The health check could not be completed. Retry the operation; if "
                                    "the problem persists, contact your service provider.")
GENERIC_ERROR_TEXT = "The health check has failed. " + _SUPPORT
GENERIC_WARNING_TEXT = ("The health check found a condition that needs attention before the upgrade. "
                        + _SUPPORT)


class _Blank(dict):
    def __missing__(self, key):
        return "not OK"


def check_message(code, severity, **fmt):
    """An upgradeMessage for an eligibility / health-check code."""
    default = GENERIC_ERROR_TEXT if severity <= SEV_ERROR else GENERIC_WARNING_TEXT
    text = CHECK_TEXT.get(code, default).format_map(_Blank(fmt))
    return upgrade_message(code, "%s [Error Code: %s]" % (text, code), severity,
                           409 if severity <= SEV_ERROR else 200)


def task_failure_message(caption, index, status):
    code = "flr::upgrade_task_failed_%d" % (index + 1)
    text = "The upgrade task '%s' failed." % caption
    if status == FAILED_LOCK:
        text += (" The system is in a locked state past the point of cancellation: resolve the "
                 "problem and resume the upgrade session.")
    else:
        text += " Resolve the problem and resume the upgrade session, or cancel it."
    text += " If the problem persists, contact your service provider."
    return upgrade_message(code, "%s [Error Code: %s]" % (text, code),
                           2 if status == FAILED_LOCK else SEV_ERROR, 500)


def upgrade_message(code, text, severity, http_status):
    return {"errorCode": str(code), "messages": [{"locale": "en_US", "message": text}],
            "severity": severity, "httpStatus": http_status}


# --- error entity codes (integer errorCode, shown in hex in the text) -----------------------------

E_NOT_FOUND = (131149829, 404, "The requested resource does not exist.")            # real 0x7d13005
E_BAD_PARAMETER = (5, 422, "One or more specified parameters are invalid.")          # real 0x5
E_UNKNOWN_FIELD = (131149831, 422, "The field '{field}' is not a valid attribute of the resource "
                   "type '{type}'.")
E_BAD_FILTER = (131149832, 422, "The filter expression is invalid: {detail}.")
E_BAD_BODY = (131149833, 422, "The request body is not valid JSON.")
E_AUTH_FAILED = (131149834, 401, "Authentication failed: invalid username or password.")
E_NO_SESSION = (131149835, 401, "The login session is invalid or has expired. Log in again.")
E_CSRF = (131149836, 401, "The EMC-CSRF-TOKEN header is missing or does not match the login "
          "session.")
E_METHOD = (131149837, 405, "The requested operation is not supported by this resource.")
E_UNAVAILABLE = (131149838, 503, "The REST service is temporarily unavailable.")
E_TOO_LARGE = (131149839, 413, "The request body is too large.")
E_SESSION_ACTIVE = (100728841, 409, "An upgrade session is already active on the system ({id}). "
                    "Resume, cancel or finish it before you start a new one.")
E_CANDIDATE_NOT_FOUND = (100728842, 404, "The specified upgrade candidate does not exist.")
E_NO_CANDIDATE = (100728843, 422, "No upgrade candidate has been uploaded to the system.")
E_NOT_NEWER = (100728844, 422, "The upgrade candidate version {candidate} is not newer than the "
               "installed version {installed}.")
E_TYPE_UNSUPPORTED = (100728845, 422, "The upgrade session type {type} is not supported on this "
                      "system.")
E_MODEL_UNSUPPORTED = (100728846, 422, "The selected storage processor model is not a supported "
                       "upgrade model for this system.")
E_BAD_STATE = (100728847, 409, "The operation {op} is not allowed while the upgrade session is in "
               "state {status}.")
E_NO_PAUSE = (100728848, 422, "The upgrade candidate does not support pausing before reboot.")
E_UPLOAD_CORRUPT = (100728849, 422, "The upgrade candidate file is corrupt or not signed. Download "
                    "the file again from the Dell Online Support website and retry the upload.")
E_UPLOAD_NAME = (100728850, 422, "The file name '{name}' is not the name of an upgrade candidate, "
                 "drive firmware or language pack package.")
E_UPLOAD_FORM = (100728851, 422, "The upload must be multipart/form-data with the file in the "
                 "field 'filename'.")
E_NOT_ELIGIBLE = (100728853, 409, "The system is not eligible for an upgrade. {details}")
E_INTERNAL = (131149840, 500, "An internal error occurred while the request was processed.")
E_UPLOAD_BUSY = (100728852, 409, "An upgrade candidate cannot be uploaded while an upgrade session "
                 "is active.")

# --- models --------------------------------------------------------------------------------------

MODEL_SP = {"300": 1, "400": 2, "500": 3, "600": 4, "350": 5, "450": 6, "550": 7, "650": 8,
            "380": 11, "480": 12, "680": 13, "880": 14}


def sp_model_for(model):
    """SPModelNameEnum of a system model name such as ``Unity 380F``."""
    digits = "".join(ch for ch in str(model) if ch.isdigit())[:3]
    if "vsa" in str(model).lower():
        return 9
    return MODEL_SP.get(digits, 12)
