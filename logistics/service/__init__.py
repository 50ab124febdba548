"""The route-planning service: an HTTP API, a persistent job store, worker processes, a dispatcher page.

The top layer: it imports ``app`` (running a job into a result folder) and everything below it;
nothing imports it.  Its third-party packages come with the ``[service]`` extra.
"""
