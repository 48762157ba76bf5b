"""The resource types the simulator serves: their attribute schema and their content.

Shapes and attribute names follow reference sections 1.4, 3.3 and 3.5-3.11 (real captures where
there are some, the Reference Guide's attribute tables otherwise). Each type lists every attribute
it knows (``fields=`` naming anything else is a 422), its embedded types' attributes, and which
attributes are references to other types (``candidate.version`` follows the reference).
"""

from . import catalog as C
from . import packages, typedocs

HEALTH_SUB = {"value", "descriptionIds", "descriptions", "resolutionIds", "resolutions"}
MESSAGE_SUB = {"errorCode", "messages", "severity", "httpStatus"}
TASK_SUB = {"caption", "creationTime", "status", "type", "estRemainTime"}
NAME_VERSION = {"name", "version"}
FIRMWARE_SUB = {"name", "version", "releaseDate", "upgradableDriveCount", "estimatedTime",
                "isNewerVersion"}
# selectedModel: the SP model of a hardware upgrade session. The reference lists it as a Create
# argument only; the simulator lists it on SP upgrade sessions (UNCONFIRMED on real arrays).
SESSION_FIELDS = {"id", "type", "candidate", "caption", "status", "messages", "creationTime",
                  "elapsedTime", "percentComplete", "tasks", "selectedModel"}


class TypeDef:
    def __init__(self, name, fields, build, embedded=None, refs=None, by_name=False):
        self.name = name
        self.fields = frozenset(fields)
        self.build = build            # build(array, ctx) -> [content, ...] (every attribute)
        self.embedded = embedded or {}  # attr -> set of sub-attributes, or None for "anything"
        self.refs = refs or {}        # attr -> referenced type name
        self.by_name = by_name        # /api/instances/<type>/name:<value> works

    def instances(self, array, ctx):
        return self.build(array, ctx)


class Context:
    """What a content builder may need besides the array: time and the caller's login session."""

    def __init__(self, now, iso, login=None):
        self.now = now
        self.iso = iso
        self.login = login


def _basic(array, ctx):
    version = array.installed["version"]
    return [{"id": "0", "model": array.model, "name": array.system_name,
             "softwareVersion": packages.short_version(version),
             "softwareFullVersion": packages.full_version(version),
             "apiVersion": packages.api_version(version), "earliestApiVersion": "4.0"}]


def _system(array, ctx):
    mac = "08:00:1B:FF:%02X:%02X" % (0x10 + array.index // 256, array.index % 256)
    return [{"id": "0", "health": C.health_object(array.health, C.SYSTEM_HEALTH_TEXT),
             "name": array.system_name, "model": array.model, "serialNumber": array.serial,
             "internalModel": "OBERON 25 DRIVE CHASSIS", "platform": "Oberon_DualSP",
             "macAddress": mac, "isEULAAccepted": True, "isUpgradeComplete": not array.upgrade_running(),
             "isAutoFailbackEnabled": array.scenario["auto_failback"], "currentPower": 469, "avgPower": 474,
             "supportedUpgradeModels": list(array.scenario["supported_upgrade_models"]),
             "operationalStatus": [2], "licenseType": 1,
             "instanceId": "root/emc:EMC_UEM_StorageSystemLeaf%Tag=00:00:00:00"}]


def _sps(array, ctx):
    out = []
    for slot, (sid, label) in enumerate((("spa", "SP A"), ("spb", "SP B"))):
        out.append({
            "id": sid, "parent": {"id": "dpe", "resource": "dpe"},
            "health": C.health_object(array.sp_health[sid], C.SP_HEALTH_TEXT),
            "needsReplacement": False, "isRescueMode": False,
            "model": "OBERON CANISTER 10C 105W 2.6G", "slotNumber": slot, "name": label,
            "emcPartNumber": "110-297-014C-04", "emcSerialNumber": "CF2HF1%05dP%d" % (array.index, slot),
            "manufacturer": "", "vendorPartNumber": "", "vendorSerialNumber": "",
            "sasExpanderVersion": "2.21.0", "biosFirmwareRevision": "30.89",
            "postFirmwareRevision": "21.2", "memorySize": 65536, "parentDpe": {"id": "dpe"},
            "modelName": array.sp_model, "operationalStatus": [32771, 32832, 32834]})
    return out


def _ok_health():
    return C.health_object(5, C.SP_HEALTH_TEXT)  # ALRT_COMPONENT_OK


def _nas_servers(array, ctx):
    return [{"id": item["id"], "name": item["name"], "health": _ok_health(),
             "homeSP": {"id": item["home"]}, "currentSP": {"id": item["current"]}}
            for item in array.placed_of("nas")]


def _luns(array, ctx):
    return [{"id": item["id"], "name": item["name"], "health": _ok_health(),
             "sizeTotal": 107374182400, "defaultNode": C.NODE[item["home"]],
             "currentNode": C.NODE[item["current"]]}
            for item in array.placed_of("sv")]


def _installed(array, ctx):
    version = array.installed["version"]
    short = packages.short_version(version)
    date = packages.release_date(version)
    return [{"id": version, "version": short, "revision": packages.build_number(version),
             "releaseDate": packages.release_iso(date),
             "fullVersion": packages.full_version(version, date),
             "languages": [{"name": "English", "version": short}],
             "hotFixes": list(array.installed["hot_fixes"]),
             "packageVersions": [{"name": "Unity", "version": version},
                                 {"name": "Unisphere", "version": version}],
             "driveFirmware": [dict(d) for d in array.installed["drive_firmware"]]}]


def _candidates(array, ctx):
    if not array.candidate:
        return []
    return [{k: v for k, v in array.candidate.items() if k != "file"}]


def _sessions(array, ctx):
    return [s.content(ctx.now, ctx.iso) for s in array.sessions.values()]


def _jobs(array, ctx):
    return [j.content(ctx.now, ctx.iso) for j in array.jobs.all()]


def _login(array, ctx):
    user = ctx.login.user if ctx.login else array.username
    return [{"id": user, "roles": [{"id": "administrator"}], "domain": "local",
             "user": {"id": "user_%s" % user}, "idleTimeout": int(array.scenario["idle_timeout"]),
             "isPasswordChangeRequired": array.scenario["password_change_required"]}]


def _users(array, ctx):
    return [{"id": "user_%s" % array.username, "name": array.username,
             "role": {"id": "administrator"}}]


TYPES = {t.name: t for t in (
    TypeDef("basicSystemInfo", {"id", "model", "name", "softwareVersion", "softwareFullVersion",
                                "apiVersion", "earliestApiVersion"}, _basic, by_name=True),
    TypeDef("system", {"id", "health", "name", "model", "serialNumber", "internalModel", "platform",
                       "macAddress", "isEULAAccepted", "isUpgradeComplete", "isAutoFailbackEnabled",
                       "currentPower", "avgPower", "supportedUpgradeModels", "operationalStatus",
                       "licenseType", "instanceId"}, _system, {"health": HEALTH_SUB}, by_name=True),
    TypeDef("storageProcessor", {"id", "parent", "health", "needsReplacement", "isRescueMode", "model",
                                 "slotNumber", "name", "emcPartNumber", "emcSerialNumber",
                                 "manufacturer", "vendorPartNumber", "vendorSerialNumber",
                                 "sasExpanderVersion", "biosFirmwareRevision",
                                 "postFirmwareRevision", "memorySize", "parentDpe", "modelName",
                                 "operationalStatus"}, _sps,
            {"health": HEALTH_SUB, "parent": {"id", "resource"}, "parentDpe": {"id"}}, by_name=True),
    # Reference "Where resources run": homeSP / currentSP are storageProcessor references,
    # defaultNode / currentNode NodeEnum values (0 = SPA, 1 = SPB).
    TypeDef("nasServer", {"id", "name", "health", "homeSP", "currentSP"}, _nas_servers,
            {"health": HEALTH_SUB}, {"homeSP": "storageProcessor", "currentSP": "storageProcessor"},
            by_name=True),
    TypeDef("lun", {"id", "name", "health", "sizeTotal", "defaultNode", "currentNode"}, _luns,
            {"health": HEALTH_SUB}, by_name=True),
    TypeDef("installedSoftwareVersion", {"id", "version", "revision", "releaseDate", "fullVersion",
                                         "languages", "hotFixes", "packageVersions",
                                         "driveFirmware"}, _installed,
            {"languages": NAME_VERSION, "packageVersions": NAME_VERSION,
             "driveFirmware": FIRMWARE_SUB}),
    TypeDef("candidateSoftwareVersion", {"id", "version", "fullVersion", "revision", "releaseDate",
                                         "type", "rebootRequired", "canPauseBeforeReboot"},
            _candidates),
    TypeDef("upgradeSession", SESSION_FIELDS, _sessions,
            {"messages": MESSAGE_SUB, "tasks": TASK_SUB},
            {"candidate": "candidateSoftwareVersion"}),
    TypeDef("softwareUpgradeSession", SESSION_FIELDS, _sessions,
            {"messages": MESSAGE_SUB, "tasks": TASK_SUB},
            {"candidate": "candidateSoftwareVersion"}),
    TypeDef("job", {"id", "state", "instanceId", "description", "stateChangeTime", "submitTime",
                    "startTime", "endTime", "elapsedTime", "estRemainTime", "progressPct", "tasks",
                    "owner", "requestId", "methodName", "parametersOut", "messageOut",
                    "isJobCancelable", "isJobCancelled", "clientData"}, _jobs,
            {"tasks": None, "parametersOut": None, "messageOut": None}),
    TypeDef("loginSessionInfo", {"id", "roles", "domain", "user", "idleTimeout",
                                 "isPasswordChangeRequired"}, _login,
            {"roles": {"id"}}, {"user": "user"}),
    TypeDef("user", {"id", "name", "role"}, _users, {"role": {"id"}}),
)}

UNAUTHENTICATED = frozenset({"basicSystemInfo"})

# The type description (GET /api/types/<type>) as a pseudo type, so fields= is checked and projected
# by the query engine like any other read (see typedocs).
DESCRIPTION_ATTRIBUTE_SUB = {"name", "type", "description", "displayValue", "initialValue"}
TYPE_DESCRIPTION = TypeDef("type", {"name", "description", "documentation", "type", "attributes"},
                           lambda array, ctx: [], {"attributes": DESCRIPTION_ATTRIBUTE_SUB})


def describe(typedef, hidden=frozenset()):
    """The full description of ``typedef`` (without the attributes in ``hidden``)."""
    return {"name": typedef.name,
            "attributes": typedocs.attributes(typedef.name, set(typedef.fields) - set(hidden))}
