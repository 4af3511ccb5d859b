#pragma once
// Where decided events go. The core declares it; events/ implements it with Kafka and
// tools/mucstreamd wires the two, so xmpp/ never includes events/.
#include "core/event.hpp"

namespace mucstream::core {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called on the room loop for each event, in order, after apply(). Must not block.
  virtual void publish(const Event&) = 0;
};

}  // namespace mucstream::core
