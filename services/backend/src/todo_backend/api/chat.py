"""The stateless chat cycle and the conversation history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from fastapi.responses import JSONResponse

from .. import conversations
from ..agent_client import AgentUnavailableError
from ..schemas import ChatRequest, ChatResponse, ChatUnavailableOut, ConversationOut, MessageOut, ObjectId
from .deps import AUTH_ERRORS, BAD_BODY, OwnerId, Session, State, error

router = APIRouter(prefix="/api/{user_id}", tags=["chat"], responses=AUTH_ERRORS)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error("No such conversation for this user")}
CHAT_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ChatUnavailableOut,
        "description": "The assistant (or the database) is unavailable. The message is stored: send the same "
        "message again (with this conversation_id) and it is answered once, without a duplicate.",
    }
}


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")


@router.post("/chat", responses={**NOT_FOUND, **BAD_BODY, **CHAT_UNAVAILABLE}, response_model=ChatResponse)
async def chat(user_id: OwnerId, body: ChatRequest, state: State, session: Session) -> Any:
    try:
        turn = await conversations.open_turn(session, user_id, body.conversation_id, body.message)
    except conversations.ConversationNotFoundError:
        raise _not_found() from None
    try:
        reply = await state.agent.respond(user_id, turn.history)
    except AgentUnavailableError as exc:
        return JSONResponse(
            ChatUnavailableOut(
                detail=f"{exc.detail}; your message is saved",
                conversation_id=turn.conversation_id,
            ).model_dump(),
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    await conversations.record_reply(session, user_id, turn.conversation_id, reply)
    return ChatResponse(
        conversation_id=turn.conversation_id, response=reply.response, tool_calls=reply.tool_calls
    )


@router.get("/conversations", summary="List conversations, newest first")
async def list_conversations(user_id: OwnerId, session: Session) -> list[ConversationOut]:
    found = await conversations.list_conversations(session, user_id)
    return [ConversationOut.model_validate(c, from_attributes=True) for c in found]


@router.get("/conversations/{conversation_id}/messages", responses=NOT_FOUND)
async def list_messages(
    user_id: OwnerId,
    conversation_id: Annotated[ObjectId, Path(description="The conversation's id")],
    session: Session,
) -> list[MessageOut]:
    try:
        found = await conversations.list_messages(session, user_id, conversation_id)
    except conversations.ConversationNotFoundError:
        raise _not_found() from None
    return [MessageOut.model_validate(m, from_attributes=True) for m in found]
