-- wrk script: POST /api/v1/auth/login with the JSON body in $LOGIN_BODY.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("LOGIN_BODY")
