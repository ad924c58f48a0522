from meetings.calendar import views as views_calendar
from meetings.views import meetings as views_meetings
from meetings.views import organise as views_organise
from meetings.views import profile as views_profile

app_name = "meetings"
urlpatterns = [
    *views_meetings.urlpatterns,
    *views_calendar.urlpatterns,
    *views_profile.urlpatterns,
    *views_organise.urlpatterns,
]
