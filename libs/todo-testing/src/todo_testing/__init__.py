"""What the test suites (tests/, k8s-tests/, charts/todo/tests/, the services' tests) and benchmarks/ share.

catalog          the components (charts/todo/components.yaml): names, ports, packages, health, wiring
api              a user of the backend's public API: sign up, sign in, tasks, chat (httpx2)
mcp_client       the official MCP client over streamable HTTP, as the backend and the agent use it
agent_chat       a conversation with the agent's internal API
processes        the services as real processes, the whole Python stack, throwaway databases
stack            `python -m todo_testing.stack`: that stack for a test in another language
private_postgres a PostgreSQL server of a test's own, to stop and start
asgi_server      an ASGI app on real uvicorn in a thread
docker           the Docker CLI: images, containers
probe            one HTTP status, for polling
"""
