"""What every Python service of the Todo platform shares.

Settings loading, JSON logs with a request id, Prometheus metrics, the ASGI middleware stack (request context,
body limit, internal bearer auth), health routes, the database engine, the migrations runner, resilient calls
to other services and the uvicorn runner: one implementation of each, used by all services.
"""
