from meetings import views_calendar, views_meetings, views_profile

app_name = "meetings"
urlpatterns = [
    *views_meetings.urlpatterns,
    *views_calendar.urlpatterns,
    *views_profile.urlpatterns,
]
