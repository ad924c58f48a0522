from groups.views import apply as views_apply
from groups.views import member as views_member

app_name = "groups"
urlpatterns = [*views_apply.urlpatterns, *views_member.urlpatterns]
