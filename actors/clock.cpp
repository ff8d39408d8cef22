#include "actors/clock.hpp"

#include <chrono>

namespace waitroom::actors {

events::timestamp system_clock::now() const {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return {std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()};
}

} // namespace waitroom::actors
