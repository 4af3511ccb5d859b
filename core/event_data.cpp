#include "core/event_data.hpp"

#include <array>
#include <type_traits>
#include <utility>

namespace mucstream::core {
namespace {

template <std::size_t... I>
constexpr auto make_factories(std::index_sequence<I...>) {
  return std::array<EventData (*)(), sizeof...(I)>{+[]() { return EventData(std::in_place_index<I>); }...};
}
constexpr auto kFactories = make_factories(std::make_index_sequence<std::variant_size_v<EventData>>{});

}  // namespace

EventData empty_data(EventType t) { return kFactories[static_cast<std::size_t>(t)](); }

EventData media_data(EventType t, data::MediaChange m) {
  EventData d = empty_data(t);
  std::visit(
      [&](auto& x) {
        if constexpr (std::is_base_of_v<data::MediaChange, std::decay_t<decltype(x)>>)
          static_cast<data::MediaChange&>(x) = std::move(m);
      },
      d);
  return d;
}

EventData client_data(EventType t, Value fields) {
  EventData d = empty_data(t);
  std::visit(
      [&](auto& x) {
        if constexpr (std::is_base_of_v<data::ClientReported, std::decay_t<decltype(x)>>)
          static_cast<data::ClientReported&>(x).fields = std::move(fields);
      },
      d);
  return d;
}

}  // namespace mucstream::core
