from django.contrib.staticfiles import finders


def test_favicon_ico_points_at_the_shipped_icon(client, db):
    # Browsers and the Django admin ask for /favicon.ico whatever the page links; it must not 404.
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")
