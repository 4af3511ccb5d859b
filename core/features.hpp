#pragma once
// One decide function per MUC feature; decide.cpp dispatches to them.
#include "core/decide.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_presence(const Service&, const Presence&, Context&);  // presence.cpp: classifies, then one below
Decision decide_join(const Service&, const Join&, Context&);
Decision decide_leave(const Service&, const Leave&, Context&);
Decision decide_presence_update(const Service&, const UpdatePresence&, Context&);
Decision decide_nick_change(const Service&, const ChangeNick&, Context&);
Decision decide_groupchat(const Service&, const SendGroupchat&, Context&);
Decision decide_post_message(const Service&, const PostMessage&, Context&);
Decision decide_private(const Service&, const SendPrivate&, Context&);
Decision decide_subject(const Service&, const ChangeSubject&, Context&);
Decision decide_invite(const Service&, const Invite&, Context&);
Decision decide_role(const Service&, const SetRole&, Context&);
Decision decide_affiliation(const Service&, const SetAffiliation&, Context&);
Decision decide_configure(const Service&, const Configure&, Context&);
Decision decide_cancel_configuration(const Service&, const CancelConfiguration&, Context&);
Decision decide_create(const Service&, const CreateRoom&, Context&);
Decision decide_lock(const Service&, const SetLock&, Context&);
Decision decide_destroy(const Service&, const DestroyRoom&, Context&);
Decision decide_destroy_rooms(const Service&, const DestroyRooms&, Context&);  // room_sweep.cpp
Decision decide_jingle(const Service&, const ObserveJingle&, Context&);        // calls.cpp
Decision decide_media_announce(const Service&, const AnnounceMedia&, Context&);  // calls.cpp
Decision decide_p2p_stats(const Service&, const ReportP2PStats&, Context&);     // calls.cpp
Decision decide_rtt(const Service&, const SetRtt&, Context&);                   // calls.cpp
Decision decide_client_report(const Service&, const ClientReport&, Context&);   // telemetry.cpp
Decision decide_shutdown(const Service&, const Shutdown&, Context&);
Decision decide_remove_ghost(const Service&, const RemoveGhost&, Context&);  // ghost.cpp
Decision decide_chat_state(const Service&, const ObserveChatState&, Context&);    // room_lifecycle.cpp
Decision decide_voice_request(const Service&, const RequestVoice&, Context&);   // room_lifecycle.cpp
Decision decide_decline(const Service&, const DeclineInvitation&, Context&);    // room_lifecycle.cpp
Decision decide_expire_idle(const Service&, const ExpireIdle&, Context&);       // room_lifecycle.cpp

// §10.9 for one room: every occupant leaves with the destroy presence, then `how` is
// emitted as room_destroyed by `actor`. Shared by the owner's destroy and idle expiry.
void destroy_room(Decision& d, Emitter& e, const Room& r, const std::string& actor, data::RoomDestroyed how);
// lifecycle.cpp: XEP-0308 corrections (a groupchat message with `replaces`, after the
// groupchat checks) and XEP-0424/0425 retractions.
Decision decide_correction(const Room&, const Occupant& author, const SendGroupchat&, Context&);
Decision decide_retract(const Service&, const RetractMessage&, Context&);

// Shared by join (re-join under a new nick) and the nick change feature.
Decision change_nick(const Room&, const Occupant&, const std::string& new_nick, Context&);

}  // namespace mucstream::core::detail
