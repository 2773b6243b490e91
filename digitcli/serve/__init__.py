"""`digitcli serve`: the model behind HTTP for jobs, and a page to draw a digit on.

Starlette (a small, well-kept ASGI toolkit) under uvicorn. `app.create_app` builds the
application around one loaded runtime; `server.serve` checks the options and runs uvicorn.
Nothing here imports TensorFlow unless the model itself needs it.
"""
