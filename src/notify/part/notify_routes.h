// The notification hub's routes: the caller's inbox (paged, newest first, unread count), marking
// an item read, the caller's notification preferences, and the admin list of deliveries (status,
// attempts, last error; never a variable or an address). Another person's inbox item answers 404
// as a missing one. Schemas and policies with each route (api/router.h).
#pragma once

#include "api/router.h"
#include "identity/identity_service.h"
#include "notify/notify_service.h"

namespace tongban::notify {

void AddNotifyRoutes(api::Router& router, NotifyService& service, identity::IdentityService& identity);

}  // namespace tongban::notify
