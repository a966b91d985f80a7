"""Reading situations from files and JSON text: the facts' own loader (`reader`)."""
