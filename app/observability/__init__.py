"""What an operator watches: JSON logs with a request id, Prometheus metrics, readiness."""
