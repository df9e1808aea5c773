"""The archive app: ask the archive (answers with their sources, each shown as a poster and
a player that starts at the cited time), browse its search results and facets, and start an
agent run (the archive_agent DAG, through Airflow) and watch its steps.

    streamlit run services/archive_app/app.py     (settings: services/archive_app/settings.py)

Reached only through the platform's ingress, which asks the archive who the person is
before it lets the request through; the name arrives in the user header. Without it the app
shows how to sign in and nothing else.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from services.archive_app.agent_runs import AgentRunError, AgentRuns, RunView
from services.archive_app.client import ArchiveClient, ArchiveError
from services.archive_app.settings import AppSettings

MODES = ("hybrid", "keyword", "semantic")


@st.cache_resource
def archive() -> ArchiveClient:
    return ArchiveClient(AppSettings.load())


@st.cache_resource
def agent_runs() -> AgentRuns | None:
    settings = archive().settings
    return AgentRuns(settings) if settings.airflow_url else None


def signed_in_user(client: ArchiveClient) -> str | None:
    return st.context.headers.get(client.settings.user_header) or None


def signed_in_role(client: ArchiveClient) -> str:
    return st.context.headers.get(client.settings.role_header) or ""


def own_origin() -> str:
    """scheme://host[:port] of this app as the person's browser reaches it."""
    url = urlsplit(st.context.url or "")
    return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else ""


def media(client: ArchiveClient, asset_id: int, variant: str) -> str:
    return client.media_url(asset_id, variant, own_origin())


def as_lines(text: str) -> str:
    """Markdown keeps the answer's line breaks only when told to."""
    return text.replace("\n", "  \n")


def show_sources(client: ArchiveClient, result: dict[str, Any]) -> None:
    if result.get("notice"):
        st.info(result["notice"])
    for number, source in enumerate(result["sources"], start=1):
        with st.container(border=True):
            st.markdown(
                f"**[{number}] asset {source['asset_id']}** · {source['time_range']} · "
                f"`{source['location']}` · {source['kind']} · score {source['score']:.2f}"
            )
            st.markdown(f"> {source['text']}")
            poster, player = st.columns([1, 2])
            poster.image(media(client, source["asset_id"], "poster"), width=200)
            with player:
                st.video(
                    media(client, source["asset_id"], "playable"),
                    start_time=int(source["start_s"]),
                )


def ask_page(client: ArchiveClient) -> None:
    turns: list[dict[str, Any]] = st.session_state.setdefault("turns", [])
    for turn in turns:
        st.chat_message("user").write(turn["question"])
        with st.chat_message("assistant"):
            st.markdown(as_lines(turn["answer"]))
            show_sources(client, turn)
    question = st.chat_input("Ask the archive, e.g. who waves at the ferry?")
    if not question:
        return
    st.chat_message("user").write(question)
    history = [{"question": t["question"], "answer": t["answer"]} for t in turns]
    with st.chat_message("assistant"):
        try:
            with st.spinner("Searching the archive…"):
                result = client.ask(question, history=history)
        except ArchiveError as exc:
            st.error(str(exc))
            return
        st.markdown(as_lines(result["answer"]))
        show_sources(client, result)
    turns.append(result)


def browse_page(client: ArchiveClient) -> None:
    try:
        facets = client.facets()
    except ArchiveError as exc:
        st.error(str(exc))
        return
    query_col, mode_col = st.columns([3, 1])
    query = query_col.text_input("Search", key="browse_query")
    mode = mode_col.selectbox("Mode", MODES, key="browse_mode")
    source_col, codec_col, tags_col = st.columns(3)
    source = source_col.selectbox("Source", ["", *facets["sources"]], key="browse_source")
    codec = codec_col.selectbox("Codec", ["", *facets["codecs"]], key="browse_codec")
    tags = tags_col.multiselect("Tags", facets["tags"], key="browse_tags")
    params: dict[str, Any] = {"per_page": 24}
    if source:
        params["source"] = source
    if codec:
        params["codec"] = codec
    if tags:
        params["tag"] = tags
    try:
        page = client.search(query, mode if query else "keyword", params)
    except ArchiveError as exc:
        st.error(str(exc))
        return
    st.caption(
        f"{page['total']} videos" + (" or more" if page["total"] > page["total_cap"] else "")
    )
    counts = Counter(tag for item in page["items"] for tag in item.get("tags") or [])
    if counts:
        st.bar_chart(dict(counts.most_common(12)), horizontal=True, x_label="videos on this page")
    columns = st.columns(4)
    for index, item in enumerate(page["items"]):
        with columns[index % 4].container(border=True):
            if item.get("poster_url"):
                st.image(media(client, item["id"], "poster"))
            st.markdown(f"**{item.get('title') or item['location']}**")
            duration = item.get("duration_s") or 0
            st.caption(f"asset {item['id']} · {duration:.1f} s · `{item['location']}`")


def show_run(view: RunView) -> None:
    progress = view.progress
    ended = f" · the agent ended: **{progress.status}**" if progress.status else ""
    st.markdown(f"Run `{view.run_id}` · Airflow: **{view.state}**{ended}")
    if progress.reason:
        st.caption(progress.reason)
    if not progress.steps:
        st.caption("No steps yet." if not view.finished else "The run recorded no steps.")
    for step in progress.steps:
        outcome = f":red[error: {step.outcome}]" if step.failed else step.outcome
        st.markdown(f"**[{step.number}] {step.tool}** · {outcome} · {step.seconds:.1f} s")


@st.fragment(run_every=3)
def watch_run(runs: AgentRuns) -> None:
    """The latest state of the run this person started, read again every 3 s until it ends."""
    view: RunView | None = st.session_state.get("agent_view")
    run_id = st.session_state.get("agent_run")
    if run_id is None:
        return
    if view is None or view.run_id != run_id or not view.finished:
        try:
            view = runs.view(run_id)
        except AgentRunError as exc:
            st.error(str(exc))
            return
        st.session_state["agent_view"] = view
    show_run(view)


def agent_page(user: str, role: str) -> None:
    if role != "editor":
        st.info(
            "Starting agent runs needs an archive editor (they cut clips and draft posts); "
            f"you are signed in as {role or 'a user without a role'}."
        )
        return
    runs = agent_runs()
    if runs is None:
        st.info("Agent runs are not set up here: the app has no Airflow to start them on.")
        return
    st.caption(
        "The agent searches the archive, cuts clips and drafts posts into the content "
        "calendar. Drafts only: nothing is published without a person's approval there."
    )
    with st.form("agent"):
        objective = st.text_input(
            "Objective", placeholder="find three clips about the harbour and draft posts for them"
        )
        max_steps = st.number_input("Most steps", min_value=1, max_value=200, value=40)
        started = st.form_submit_button("Start the agent")
    if started:
        if not objective.strip():
            st.error("Write an objective first, e.g. find two clips about the harbour.")
        else:
            try:
                st.session_state["agent_run"] = runs.start(
                    objective.strip(), started_by=user, max_steps=int(max_steps)
                )
            except AgentRunError as exc:
                st.error(str(exc))
    watch_run(runs)


def main() -> None:
    st.set_page_config(page_title="Archive", layout="wide")
    client = archive()
    user = signed_in_user(client)
    if user is None:
        st.error(
            "Sign in to the archive first: this app is opened through the platform's "
            "ingress, which tells it who you are."
        )
        st.stop()
    role = signed_in_role(client)
    st.sidebar.markdown(f"Signed in as **{user}**" + (f" ({role})" if role else ""))
    ask_tab, browse_tab, agent_tab = st.tabs(["Ask the archive", "Browse", "Agent"])
    with ask_tab:
        ask_page(client)
    with browse_tab:
        browse_page(client)
    with agent_tab:
        agent_page(user, role)


main()
