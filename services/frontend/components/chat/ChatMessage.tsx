import { describeToolCall, type ChatEntry } from "@/lib/chat-state";

export function ChatMessage({ entry }: { entry: ChatEntry }) {
  const fromUser = entry.role === "user";
  return (
    // Not a list item: a role="log" container is not a list for assistive technology.
    <div className={`flex ${fromUser ? "justify-end" : "justify-start"}`} data-testid={`chat-${entry.role}`}>
      <div
        className={`max-w-[85%] rounded-2xl px-3.5 py-2 text-sm shadow-sm ${
          fromUser ? "rounded-br-md bg-indigo-600 text-white" : "rounded-bl-md border border-slate-200 bg-white text-slate-900"
        }`}
      >
        <span className="sr-only">{fromUser ? "You said:" : "Assistant said:"}</span>
        <p className="whitespace-pre-line break-words">{entry.content}</p>
        {entry.toolCalls.length > 0 ? (
          <ul aria-label="Tools used" className="mt-2 flex flex-wrap gap-1.5">
            {entry.toolCalls.map((call, index) => (
              <li
                key={`${call.tool}-${index}`}
                className="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-2 py-0.5 font-mono text-[11px] text-indigo-800"
                data-testid="tool-call"
              >
                <span aria-hidden="true">⚙</span>
                {describeToolCall(call)}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
