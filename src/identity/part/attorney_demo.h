// The demo's powers of attorney (synthetic people): 王秀英, an elderly citizen, lets her son 刘建国
// see her receipts and apply for her senior citizens' preferential card; 李娜 is recorded as the
// guardian of her daughter 陈小雨 (no account of her own); the demo enterprise authorises 张伟 as
// its agent (经办人) for its licences. Called by IdentityPart::LoadDemo after the demo people.
#pragma once

#include "identity/attorney.h"
#include "part/demo_data.h"

namespace tongban::identity {

Status LoadAttorneyDemo(part::DemoData& demo, AttorneyService& attorneys);

}  // namespace tongban::identity
