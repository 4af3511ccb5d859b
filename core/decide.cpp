#include "core/decide.hpp"

#include "core/features.hpp"

namespace mucstream::core {

Decision decide(const Service& s, const Command& cmd, Context& ctx) {
  using namespace detail;
  return std::visit(
      [&](const auto& c) -> Decision {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, Presence>) return decide_presence(s, c, ctx);
        else if constexpr (std::is_same_v<T, Join>) return decide_join(s, c, ctx);
        else if constexpr (std::is_same_v<T, Leave>) return decide_leave(s, c, ctx);
        else if constexpr (std::is_same_v<T, UpdatePresence>) return decide_presence_update(s, c, ctx);
        else if constexpr (std::is_same_v<T, ChangeNick>) return decide_nick_change(s, c, ctx);
        else if constexpr (std::is_same_v<T, SendGroupchat>) return decide_groupchat(s, c, ctx);
        else if constexpr (std::is_same_v<T, SendPrivate>) return decide_private(s, c, ctx);
        else if constexpr (std::is_same_v<T, ChangeSubject>) return decide_subject(s, c, ctx);
        else if constexpr (std::is_same_v<T, Invite>) return decide_invite(s, c, ctx);
        else if constexpr (std::is_same_v<T, SetRole>) return decide_role(s, c, ctx);
        else if constexpr (std::is_same_v<T, SetAffiliation>) return decide_affiliation(s, c, ctx);
        else if constexpr (std::is_same_v<T, Configure>) return decide_configure(s, c, ctx);
        else if constexpr (std::is_same_v<T, CancelConfiguration>) return decide_cancel_configuration(s, c, ctx);
        else if constexpr (std::is_same_v<T, CreateRoom>) return decide_create(s, c, ctx);
        else if constexpr (std::is_same_v<T, SetLock>) return decide_lock(s, c, ctx);
        else if constexpr (std::is_same_v<T, DestroyRoom>) return decide_destroy(s, c, ctx);
        else if constexpr (std::is_same_v<T, ObserveJingle>) return decide_jingle(s, c, ctx);
        else if constexpr (std::is_same_v<T, AnnounceMedia>) return decide_media_announce(s, c, ctx);
        else if constexpr (std::is_same_v<T, ReportP2PStats>) return decide_p2p_stats(s, c, ctx);
        else if constexpr (std::is_same_v<T, SetRtt>) return decide_rtt(s, c, ctx);
        else if constexpr (std::is_same_v<T, ClientReport>) return decide_client_report(s, c, ctx);
        else if constexpr (std::is_same_v<T, RemoveGhost>) return decide_remove_ghost(s, c, ctx);
        else if constexpr (std::is_same_v<T, ObserveChatState>) return decide_chat_state(s, c, ctx);
        else if constexpr (std::is_same_v<T, RequestVoice>) return decide_voice_request(s, c, ctx);
        else if constexpr (std::is_same_v<T, DeclineInvitation>) return decide_decline(s, c, ctx);
        else if constexpr (std::is_same_v<T, ExpireIdle>) return decide_expire_idle(s, c, ctx);
        else if constexpr (std::is_same_v<T, RetractMessage>) return decide_retract(s, c, ctx);
        else if constexpr (std::is_same_v<T, PostMessage>) return decide_post_message(s, c, ctx);
        else if constexpr (std::is_same_v<T, DestroyRooms>) return decide_destroy_rooms(s, c, ctx);
        else return decide_shutdown(s, c, ctx);
      },
      cmd);
}

Decision execute(Service& s, const Command& cmd, Context& ctx) {
  Decision d = decide(s, cmd, ctx);
  for (const Event& e : d.events) apply(s, e, ctx.config.history);
  return d;
}

}  // namespace mucstream::core
