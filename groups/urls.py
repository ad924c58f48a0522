from groups import views_apply, views_member

app_name = "groups"
urlpatterns = [*views_apply.urlpatterns, *views_member.urlpatterns]
