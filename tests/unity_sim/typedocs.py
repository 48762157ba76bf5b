"""The type descriptions (``GET /api/types/<type>``): each attribute's type and description.

Reference "Type-description queries": a real array answers
``GET /api/types/basicSystemInfo?compact=True&fields=attributes.description,attributes.displayValue,
attributes.initialValue,attributes.name,attributes.type,description,documentation,name,type`` with
``{"content": {"name": T, "attributes": [{"name", "type", "description", "displayValue"}, ...]}}``:
``displayValue`` is the attribute name, ``initialValue`` and the type's own ``description``,
``documentation`` and ``type`` are not in the recording, so they are accepted in ``fields=`` and
left out (an attribute "defined but unavailable is omitted"). The texts of basicSystemInfo follow the
recording; the others follow the Reference Guide's attribute tables (reference 3.3-3.11), shortened.
"""

_ID = ("String", "Unique identifier of the {type} instance. ")
_HEALTH = ("health", "Health information for the {type}, as defined by the health resource type. ")
_SESSION = {
    "id": _ID,
    "type": ("UpgradeSessionTypeEnum", "Type of software to upgrade. "),
    "candidate": ("candidateSoftwareVersion", "Candidate software to install in the upgrade session, "
                  "as defined by the candidateSoftwareVersion resource type. "),
    "caption": ("String", "Caption for this upgrade session. "),
    "status": ("UpgradeStatusEnum", "Status of the current upgrade session. "),
    "messages": ("List<upgradeMessage>", "List of upgrade messages. "),
    "creationTime": ("DateTime", "Date and time when the upgrade session was started. "),
    "elapsedTime": ("DateTime[Interval]", "Amount of time for which the upgrade session was running. "),
    "percentComplete": ("unsigned Integer[16(percent)]", "Percentage of the upgrade that is completed. "),
    "tasks": ("List<upgradeTask>", "Current upgrade activity in the upgrade session, as defined by the "
              "upgradeTask resource type. "),
}
_VERSION = {
    "id": _ID,
    "version": ("String", "Version of the software. "),
    "fullVersion": ("String", "Full version of the software, with its build number and release date. "),
    "revision": ("unsigned Integer[32]", "Revision number of the software. "),
    "releaseDate": ("DateTime", "Date and time when the software was released. "),
}
_SP = {
    "id": _ID, "health": _HEALTH,
    "parent": ("resource", "Parent I/O module of the storage processor. "),
    "needsReplacement": ("Boolean", "Indicates whether the storage processor needs replacement. "),
    "isRescueMode": ("Boolean", "Indicates whether the storage processor is in Service Mode. "),
    "model": ("String", "Model of the storage processor. "),
    "slotNumber": ("unsigned Integer[32]", "Slot in which the storage processor is installed. "),
    "name": ("String", "Storage processor name. "),
    "emcPartNumber": ("String", "EMC part number of the storage processor. "),
    "emcSerialNumber": ("String", "EMC serial number of the storage processor. "),
    "manufacturer": ("String", "Manufacturer of the storage processor. "),
    "vendorPartNumber": ("String", "Vendor part number of the storage processor. "),
    "vendorSerialNumber": ("String", "Vendor serial number of the storage processor. "),
    "sasExpanderVersion": ("String", "Version of the SAS expander. "),
    "biosFirmwareRevision": ("String", "BIOS firmware revision of the storage processor. "),
    "postFirmwareRevision": ("String", "POST firmware revision of the storage processor. "),
    "memorySize": ("unsigned Integer[32(MB)]", "Memory size of the storage processor, in megabytes. "),
    "parentDpe": ("dpe", "Parent disk processor enclosure of the storage processor. "),
    "modelName": ("SPModelNameEnum", "Model name of the storage processor. "),
    "operationalStatus": ("List<unsigned Integer[16]>", "Operational status of the storage processor. "),
}

ATTRIBUTES = {
    "basicSystemInfo": {
        "id": _ID,
        "model": ("String", "Model name of this storage system. This value comes from the model "
                  "attribute of the system resource. "),
        "name": ("String", "Name of this storage system. This value comes from the name attribute "
                 "of the system resource. "),
        "softwareVersion": ("String", "Software version of this storage system. This value comes "
                            "from the version attribute of the installedSoftwareVersion resource. "),
        "softwareFullVersion": ("String", "Full software version of this storage system. "),
        "apiVersion": ("String", "Latest version of the REST API that this storage system supports. "),
        "earliestApiVersion": ("String", "Earliest version of the REST API that this storage system "
                               "supports. "),
    },
    "system": {
        "id": _ID, "health": _HEALTH,
        "name": ("String", "System name. "),
        "model": ("String", "System model name. "),
        "serialNumber": ("String", "System product serial number. "),
        "internalModel": ("String", "Internal model name for the system. "),
        "platform": ("String", "Hardware platform for the system. "),
        "macAddress": ("String", "MAC address of the management interface. "),
        "isEULAAccepted": ("Boolean", "Indicates whether the End User License Agreement (EULA) was "
                           "accepted for an upgrade. "),
        "isUpgradeComplete": ("Boolean", "Indicates whether an upgrade completed. Operations that "
                              "change the configuration of the system are not allowed while an "
                              "upgrade is in progress. "),
        "isAutoFailbackEnabled": ("Boolean", "Indicates whether the automatic failback of NAS servers "
                                  "is enabled for the system. "),
        "currentPower": ("unsigned Integer[32(Watts)]", "Current amount of power used by the system. "),
        "avgPower": ("unsigned Integer[32(Watts)]", "Average amount of power used by the system. "),
        "supportedUpgradeModels": ("List<SPModelNameEnum>", "List of all supported models for "
                                   "hardware upgrade. "),
        "operationalStatus": ("List<unsigned Integer[16]>", "Operational status of the system. "),
        "licenseType": ("unsigned Integer[32]", "License type of the system. "),
        "instanceId": ("String", "Instance identifier of the system. "),
    },
    "storageProcessor": _SP,
    "nasServer": {
        "id": _ID, "health": _HEALTH,
        "name": ("String", "User-specified name of the NAS server. "),
        "homeSP": ("storageProcessor", "Storage processor on which the NAS server is intended to run. "),
        "currentSP": ("storageProcessor", "Storage processor on which the NAS server is currently "
                      "running. "),
    },
    "lun": {
        "id": _ID, "health": _HEALTH,
        "name": ("String", "Name of the LUN. "),
        "sizeTotal": ("unsigned Integer[64(bytes)]", "LUN size that the system presents to the host "
                      "or end user. "),
        "defaultNode": ("NodeEnum", "Storage processor that owns the LUN by default. "),
        "currentNode": ("NodeEnum", "Storage processor that currently owns the LUN. "),
    },
    "installedSoftwareVersion": dict(_VERSION, **{
        "languages": ("List<installedSoftwareVersionLanguage>", "Language packs installed on the "
                      "system. "),
        "hotFixes": ("List<String>", "Hot fixes installed on the system. "),
        "packageVersions": ("List<installedSoftwareVersionPackages>", "Versions of the installed "
                            "packages. "),
        "driveFirmware": ("List<firmwarePackage>", "Drive firmware bundled with the installed "
                          "software, used to upgrade disk firmware after a software upgrade. "),
    }),
    "candidateSoftwareVersion": dict(_VERSION, **{
        "type": ("UpgradeTypeEnum", "Type of the upgrade candidate. "),
        "rebootRequired": ("Boolean", "Package requires reboot of both SPs, one at a time, with "
                           "services remaining available. "),
        "canPauseBeforeReboot": ("Boolean", "Package can utilize the 'pause' feature allowing the "
                                 "user to choose their disruptive window. "),
    }),
    "upgradeSession": _SESSION,
    "softwareUpgradeSession": _SESSION,
    "job": {
        "id": _ID,
        "state": ("JobStateEnum", "Current state of the job. "),
        "instanceId": ("String", "Instance identifier of the job. "),
        "description": ("String", "Description of the job. "),
        "stateChangeTime": ("DateTime", "Date and time of the last state change of the job. "),
        "submitTime": ("DateTime", "Date and time when the job was submitted. "),
        "startTime": ("DateTime", "Date and time when the job started. "),
        "endTime": ("DateTime", "Date and time when the job ended. "),
        "elapsedTime": ("DateTime[Interval]", "Time the job has run. "),
        "estRemainTime": ("DateTime[Interval]", "Estimated time remaining for the job. "),
        "progressPct": ("unsigned Integer[16(percent)]", "Progress of the job, in percent. "),
        "tasks": ("List<jobTask>", "Tasks of the job. "),
        "owner": ("String", "Owner of the job. "),
        "requestId": ("String", "Identifier of the request that started the job. "),
        "methodName": ("String", "Name of the method the job runs. "),
        "parametersOut": ("Object", "Output arguments of the job's method. "),
        "messageOut": ("message", "Result message of the job. "),
        "isJobCancelable": ("Boolean", "Indicates whether the job can be cancelled. "),
        "isJobCancelled": ("Boolean", "Indicates whether the job was cancelled. "),
        "clientData": ("String", "Data the client attached to the job. "),
    },
    "loginSessionInfo": {
        "id": _ID,
        "roles": ("List<role>", "Roles of the logged-in user. "),
        "domain": ("String", "Domain of the logged-in user. "),
        "user": ("user", "The logged-in user. "),
        "idleTimeout": ("unsigned Integer[32(seconds)]", "Number of seconds after last use until this "
                        "session expires. "),
        "isPasswordChangeRequired": ("Boolean", "Indicates whether the password must be changed. "),
    },
    "user": {
        "id": _ID,
        "name": ("String", "User name. "),
        "role": ("role", "Role of the user. "),
    },
}


def attributes(type_name, names):
    """``[{"name", "type", "description", "displayValue"}]`` for ``names`` of ``type_name``."""
    docs = ATTRIBUTES.get(type_name, {})
    out = []
    for name in sorted(names):
        kind, text = docs.get(name, ("String", "The %s of the {type} instance. " % name))
        out.append({"name": name, "type": kind, "description": text.format(type=type_name),
                    "displayValue": name})
    return out
