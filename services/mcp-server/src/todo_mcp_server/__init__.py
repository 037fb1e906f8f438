"""The MCP server of the Todo platform: task tools over streamable HTTP, and the owner of the task table."""
