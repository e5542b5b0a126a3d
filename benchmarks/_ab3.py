import streamlit as st
LINE = "**Line {k}.** A short fact about an idea, the way a details panel states it."
def empty(): st.title("Start")
def md(n):
    def page():
        st.title(f"Md{n}")
        for k in range(n): st.markdown(LINE.format(k=k))
    return page
def tx(n):
    def page():
        st.title(f"Tx{n}")
        for k in range(n): st.text(LINE.format(k=k))
    return page
pages = [st.Page(empty, title="Start", default=True)]
for n in (12, 24, 48):
    pages += [st.Page(md(n), title=f"Md{n}", url_path=f"md{n}"), st.Page(tx(n), title=f"Tx{n}", url_path=f"tx{n}")]
st.navigation(pages).run()
