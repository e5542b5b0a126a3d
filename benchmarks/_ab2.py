import pandas as pd
import streamlit as st
LINE = "**Line {k}.** A short fact about an idea, the way a details panel states it."
N = 25
def frame():
    return pd.DataFrame({"id": range(1, N + 1), "title": [f"Idea number {k}" for k in range(N)],
                         "team": ["CC", "ST", "WEB", "HQ", "X"] * (N // 5), "state": ["submitted"] * N,
                         "submitted": pd.date_range("2026-01-01", periods=N, freq="D"), "supports": range(N)})
def filters():
    st.text_input("Search", key="q")
    c = st.columns(4)
    for k in range(4):
        c[k].multiselect(f"F{k}", ["a", "b", "c"], key=f"f{k}")
def links():
    for k in range(N):
        st.page_link(target, label=f"#{k} · Idea number {k}", icon=":material/description:")
def empty():
    st.title("Empty")
def full():
    st.title("Full"); filters(); st.dataframe(frame(), hide_index=True); links()
def nogrid():
    st.title("Nogrid"); filters(); links()
def gridonly():
    st.title("Gridonly"); filters(); st.dataframe(frame(), hide_index=True)
def target():
    st.title("Target")
    for k in range(12):
        st.markdown(LINE.format(k=k))
st.navigation([st.Page(empty, title="Empty", default=True), st.Page(full, title="Full", url_path="full"),
               st.Page(nogrid, title="Nogrid", url_path="nogrid"), st.Page(gridonly, title="Gridonly", url_path="gridonly"),
               st.Page(target, title="Target", url_path="target")]).run()
