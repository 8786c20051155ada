"""The notifier's HTTP API."""

from passerelle.notifier.entrypoints.http import notifications, preferences, stream

# The stream's path must be matched before /notifications/{notification_id}.
ROUTERS = (stream.router, notifications.router, preferences.router)
