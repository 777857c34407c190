"""The Graph page: the model (state), the compiled graph, the Bokeh graph view, the Player and step panel, the editor and leaf controls."""
