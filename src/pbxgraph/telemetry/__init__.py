"""What pbxgraph tells its operators: logs, metrics, traces, and the request they belong to.

It sits beside the layers, not in them: the app, the service and the
connectors' HTTP seam all report into it, and it imports none of them.
"""
