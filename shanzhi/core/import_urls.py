"""/imports/: the import pages of every registered importer (core.import_views)."""

from .import_views import urlpatterns_for_importers

app_name = "imports"
urlpatterns = urlpatterns_for_importers()
