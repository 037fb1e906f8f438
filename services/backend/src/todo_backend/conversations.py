"""Conversation storage for the stateless chat cycle: every turn is rebuilt from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .agent_client import AgentReply, HistoryMessage
from .models import Conversation, Message, utc_now

HISTORY_LIMIT = 40  # the most recent messages the agent sees; bounds the prompt on long conversations
TITLE_LENGTH = 60


class ConversationNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class Turn:
    conversation_id: int
    history: list[HistoryMessage]


def title_from(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= TITLE_LENGTH else words[: TITLE_LENGTH - 1].rstrip() + "…"


async def open_turn(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: int | None, text: str
) -> Turn:
    """Store the user's message (or reuse the identical one left unanswered by a failed attempt) and
    return the history to send to the agent, which always ends with this message. Commits, so the
    message survives an agent failure."""
    created = False
    if conversation_id is None:
        conversation = await _unanswered_first_message(session, user_id, text)
        if conversation is None:
            conversation = Conversation(user_id=user_id, title=title_from(text))
            session.add(conversation)
            await session.flush()
            created = True
    else:
        conversation = await owned_conversation(session, user_id, conversation_id)
    assert conversation.id is not None
    # The history is read once and the decision taken on it: a concurrent turn answering the same
    # conversation in between (two identical first messages at once) must not leave a history that
    # ends with the assistant, which the agent refuses.
    history = [] if created else await _history(session, conversation.id)
    if not history or (history[-1].role, history[-1].content) != ("user", text):
        session.add(Message(conversation_id=conversation.id, user_id=user_id, role="user", content=text))
        conversation.updated_at = utc_now()
        session.add(conversation)
        history = [*history, HistoryMessage(role="user", content=text)][-HISTORY_LIMIT:]
    await session.commit()
    return Turn(conversation.id, history)


async def record_reply(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: int, reply: AgentReply
) -> None:
    conversation = await owned_conversation(session, user_id, conversation_id)
    tool_calls = [call.model_dump(mode="json") for call in reply.tool_calls]
    session.add(
        Message(
            conversation_id=conversation_id,
            user_id=user_id,
            role="assistant",
            content=reply.response,
            tool_calls=tool_calls,
        )
    )
    conversation.updated_at = utc_now()
    session.add(conversation)
    await session.commit()


async def owned_conversation(session: AsyncSession, user_id: uuid.UUID, conversation_id: int) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != user_id:
        raise ConversationNotFoundError
    return conversation


async def list_conversations(session: AsyncSession, user_id: uuid.UUID) -> list[Conversation]:
    statement = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
    )
    return list((await session.exec(statement)).all())


async def list_messages(session: AsyncSession, user_id: uuid.UUID, conversation_id: int) -> list[Message]:
    await owned_conversation(session, user_id, conversation_id)
    statement = select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id))
    return list((await session.exec(statement)).all())


async def _recent_messages(session: AsyncSession, conversation_id: int, limit: int) -> list[tuple[str, str]]:
    """(role, content) of the conversation's newest messages, newest first. Only these two columns: the
    assistant messages' tool_calls (JSONB, e.g. 50 listed tasks each) are not needed here, and decoding
    them was most of the backend's CPU in a chat turn (measured)."""
    statement = (
        select(col(Message.role), col(Message.content))
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    return [(role, content) for role, content in (await session.exec(statement)).all()]


async def _unanswered_first_message(
    session: AsyncSession, user_id: uuid.UUID, text: str
) -> Conversation | None:
    """The user's newest conversation if it holds only this same message, unanswered: a client retrying
    a new conversation's first message after a 503 continues it instead of starting a duplicate."""
    newest = (
        await session.exec(
            select(Conversation)
            .where(Conversation.user_id == user_id)
            .order_by(col(Conversation.id).desc())
            .limit(1)
        )
    ).first()
    if newest is None or newest.id is None:
        return None
    # Two at most: enough to tell "only this message" from "this message and more".
    if await _recent_messages(session, newest.id, 2) == [("user", text)]:
        return newest
    return None


async def _history(session: AsyncSession, conversation_id: int) -> list[HistoryMessage]:
    recent = await _recent_messages(session, conversation_id, HISTORY_LIMIT)
    return [
        HistoryMessage(role="user" if role == "user" else "assistant", content=content)
        for role, content in reversed(recent)
    ]
