"""``panel serve app/main.py --address 127.0.0.1 --setup app/serve_setup.py``: puts
:mod:`app.serve_guard` in front of ``panel serve``'s routes (a hostile link gets a page saying
why, never a 500), as ``autograd-ui`` does itself.

Panel runs a ``--setup`` script (as a module named ``panel_setup_module``) before it builds the
server, so the guard is installed by a callback on the server's loop, which runs before the
first request is read. It also keeps a tab closed mid-update out of the log
(:func:`app.closed_tabs.quiet_closed_tabs`, as ``autograd-ui`` does). Imported under any other name
(Panel's ``/components/`` route) it does nothing.
"""

from tornado.ioloop import IOLoop

from app.serve_guard import install_in_running_servers

if __name__ == "panel_setup_module":
    from app.closed_tabs import quiet_closed_tabs

    quiet_closed_tabs()
    IOLoop.current().add_callback(install_in_running_servers)
