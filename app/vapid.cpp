// `waitroom vapid generate-keys`.
#include "app/commands.hpp"
#include "http/crypto/web_push.hpp"

#include <cstdio>

namespace waitroom::app {

int vapid_generate_keys() {
  const auto keys = http::web_push::generate_key_pair();
  std::printf("WAITROOM_VAPID_PUBLIC_KEY=%s\nWAITROOM_VAPID_PRIVATE_KEY=%s\n",
              http::web_push::base64url(keys.public_key).c_str(),
              http::web_push::base64url(keys.private_key).c_str());
  return 0;
}

} // namespace waitroom::app
