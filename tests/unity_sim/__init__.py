"""Unisphere REST API simulator for the ``unity.upgrade`` collection's tests.

A real HTTPS server that speaks the Unity (Unisphere) management REST wire protocol for the resources
an upgrade needs: login sessions, cookies and the CSRF token, the error entity, fields / compact /
filter / paging, ``basicSystemInfo``, ``system``, ``storageProcessor``, ``installedSoftwareVersion``,
``candidateSoftwareVersion`` (with the streamed upload endpoint), ``upgradeSession`` and
``softwareUpgradeSession`` (create, verifyUpgradeEligibility, resume, cancel, acknowledge) and ``job``.

Run it with ``PYTHONPATH=tests python -m unity_sim --help`` from the repository root, or from Python
with :class:`unity_sim.launcher.Simulator`. It imports nothing from ``plugins/``: the simulator and the
collection meet only over HTTPS, as a real array and the collection do.

Modules, one concern each:

==============  ===========================================================================
``__main__``    command line, ready line, signal handling
``simulator``   the process-wide object: arrays, listeners, the ticker thread
``transport``   TLS listeners (closed during outages), connection registry, request handler
``api``         the REST dispatcher: auth, faults, routes, write operations
``auth``        login sessions, cookies, CSRF tokens, idle timeout
``query``       fields / compact / filter / paging / orderby and the response envelopes
``filters``     the ``filter=`` expression parser and evaluator
``resources``   the content of every resource type and its attribute schema
``array``       one array's state: versions, candidate, sessions, jobs, outages, faults
``upgrade``     the upgrade engine (task walk on the virtual clock)
``uploads``     streamed multipart upload of candidate packages
``packages``    package file names and :func:`packages.write_candidate` for tests
``admin``       the plain-HTTP admin API (state, scenarios, request log, clock)
``scenario``    scenario files: loading, validation, normalisation
``catalog``     enums, health texts, task captions, message texts, error codes
``clock``       the virtual clock (``--time-scale``)
``certs``       the generated self-signed CA and server certificate
``launcher``    :class:`Simulator`, a context manager that runs the CLI as a subprocess
==============  ===========================================================================
"""

__version__ = "1.0.0"
