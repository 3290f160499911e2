"""Production set-up: nginx template, gunicorn config, the local start/stop script."""
