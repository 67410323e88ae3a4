//! The glossary: what every field of the detail record means for a real call.
//!
//! The official schema describes most fields in a few words, or not at all. Each entry here
//! says what the field tells about a call, where it appears (which participant purpose, which
//! segment type), what its values mean, and the pitfalls people meet with it. `calltrail fields`
//! prints it; a test checks that every field of the schema's detail-record types has an entry
//! and that every enum value the schema lists is explained.

use serde::Serialize;

/// One glossary entry.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Field {
    /// Dotted name: `conversation.originatingDirection`, `session.ani`, `metric.tTalk`.
    pub path: &'static str,
    /// The schema type (or section) the field belongs to.
    pub on: &'static str,
    /// What the field means for a real call.
    pub meaning: &'static str,
    /// Where it appears: on which participants, sessions or segments.
    pub appears: &'static str,
    /// Its values and what each means, for enumerations and well-known free values.
    pub values: &'static [(&'static str, &'static str)],
    /// What trips people up.
    pub pitfalls: &'static str,
}

macro_rules! f {
    ($path:literal, $on:literal, $meaning:literal) => {
        f!($path, $on, $meaning, "", &[], "")
    };
    ($path:literal, $on:literal, $meaning:literal, $appears:literal) => {
        f!($path, $on, $meaning, $appears, &[], "")
    };
    ($path:literal, $on:literal, $meaning:literal, $appears:literal, $values:expr) => {
        f!($path, $on, $meaning, $appears, $values, "")
    };
    ($path:literal, $on:literal, $meaning:literal, $appears:literal, $values:expr, $pitfalls:literal) => {
        Field {
            path: $path,
            on: $on,
            meaning: $meaning,
            appears: $appears,
            values: $values,
            pitfalls: $pitfalls,
        }
    };
}

/// Participant purposes.
pub const PURPOSES: &[(&str, &str)] = &[
    ("acd", "A queue. Its `interact` segments are the time the call waited in that queue (tAcd)."),
    ("agent", "A person who handled the call because it was routed to them from a queue."),
    ("api", "A participant added through the API by an integration."),
    ("botflow", "A bot flow (Architect bot or digital bot) talking to the customer."),
    ("campaign", "An outbound campaign that placed the call."),
    ("customer", "The person outside the organisation the conversation is with."),
    ("dialer", "The outbound dialer placing campaign calls."),
    ("external", "An outside party that is not the customer: a transfer target, a consulted number, or the callee of a user's manual outbound call."),
    ("fax", "A fax endpoint."),
    ("group", "A group ring target."),
    ("inbound", "An inbound leg created by the platform (rare in detail records)."),
    ("ivr", "An Architect call flow (the IVR): menus, data dips, Set Participant Data."),
    ("manual", "A manually added participant."),
    ("outbound", "An outbound leg created by the platform."),
    ("station", "A phone station rather than a user."),
    ("user", "A person taking part outside ACD routing: direct calls, internal calls, manual outbound calls."),
    ("voicemail", "A voicemail box that recorded a message."),
    ("voicesurveyflow", "A post-call voice survey flow."),
    ("workflow", "An Architect workflow acting on the conversation."),
];

/// Session and originating directions.
pub const DIRECTIONS: &[(&str, &str)] = &[
    ("inbound", "This leg was set up towards the organisation (the customer called in, or the call was offered to this participant)."),
    ("outbound", "This leg was set up from the organisation outwards (an agent, user, campaign or the platform dialled it)."),
];

/// Media types.
pub const MEDIA_TYPES: &[(&str, &str)] = &[
    ("callback", "A callback request: the customer asked to be called back; an agent later dials them."),
    ("chat", "Web chat (the older Genesys Cloud chat)."),
    ("cobrowse", "A co-browsing session."),
    ("email", "An e-mail interaction."),
    ("internalmessage", "A message between users inside the organisation."),
    ("message", "Web messaging, SMS or a social/third-party messaging channel."),
    ("screenmonitoring", "A supervisor watching an agent's screen."),
    ("screenshare", "A screen-sharing session."),
    ("unknown", "The platform could not tell."),
    ("video", "A video session."),
    ("voice", "A phone call."),
];

/// Segment types.
pub const SEGMENT_TYPES: &[(&str, &str)] = &[
    ("alert", "The call was ringing at this agent or user (tAlert). Ends when they answer, decline or let it ring out."),
    ("barging", "A supervisor barged into the call."),
    ("callback", "A callback waiting to be placed, or being placed."),
    ("coaching", "A supervisor coached the agent (heard only by the agent)."),
    ("contacting", "The number is being reached: the far end is ringing on an outbound call."),
    ("converting", "The media is being converted (for example a message to another channel)."),
    ("delay", "A deliberate delay, for example a scheduled callback's wait."),
    ("dialing", "The number is being dialled on an outbound call, before the far end rings."),
    ("hold", "The agent put the customer on hold (tHeld)."),
    ("interact", "Connected: talking for agents, users and customers; waiting in queue on `acd` participants (tAcd)."),
    ("ivr", "Time in an IVR flow (tIvr), on `ivr` participants."),
    ("monitoring", "A supervisor listened in silently."),
    ("parked", "The call was parked by the agent."),
    ("scheduled", "A callback scheduled for later."),
    ("screenmonitoring", "Screen monitoring in progress."),
    ("sharing", "Screen sharing in progress."),
    ("system", "Platform time before or between the other states: set-up, routing."),
    ("transmitting", "Media being transmitted (fax, message delivery)."),
    ("unknown", "A state the platform could not classify."),
    ("uploading", "Media being uploaded."),
    ("voicemail", "The caller was leaving a voicemail (tVoicemail)."),
    ("wrapup", "After-call work by the agent (tAcw). Carries wrapUpCode, wrapUpNote and wrapUpTags."),
];

/// Segment disconnect types.
pub const DISCONNECT_TYPES: &[(&str, &str)] = &[
    ("client", "This participant's own application ended the segment: the agent clicked Disconnect, a user hung up in the client, an agent declined an alert."),
    ("conferenceTransfer", "The participant left by turning the call into a conference and dropping out."),
    ("consultTransfer", "The participant completed a consult transfer: they talked to the target first, then handed the customer over."),
    ("dndEndpoint", "The endpoint was on do-not-disturb."),
    ("dndTransfer", "Transferred because the target was on do-not-disturb."),
    ("endpoint", "This participant's phone ended the segment: the person hung up their phone."),
    ("error", "An error ended the segment."),
    ("forwardTransfer", "Forwarded (call forwarding)."),
    ("inactivity", "Ended because nothing happened for too long (messaging, chat)."),
    ("noAnswerTransfer", "Moved on because nobody answered (ring no answer)."),
    ("notAvailableTransfer", "Moved on because the target was not available."),
    ("other", "Another reason the platform does not classify."),
    ("peer", "The other side ended it: the peer of this participant hung up."),
    ("sessionExpired", "The session expired."),
    ("spam", "Marked as spam."),
    ("system", "The platform ended it (for example the flow or the routing engine)."),
    ("takeover", "Another session took over this one."),
    ("timeout", "Ended by a timeout (a chat that went idle, an alert that timed out)."),
    ("transfer", "A blind transfer: the call moved on to someone else without this participant staying."),
    ("transportFailure", "The network or SIP transport failed."),
    ("uncallable", "The number could not be called (outbound)."),
];

/// Flow types.
pub const FLOW_TYPES: &[(&str, &str)] = &[
    ("BOT", "An Architect bot flow."),
    ("COMMONMODULE", "A common module called from another flow."),
    ("DIGITALBOT", "A digital bot flow for messaging."),
    ("EMAILSEND", "A flow that sends e-mail."),
    ("INBOUNDCALL", "The IVR: the flow that answers inbound calls on a DID."),
    ("INBOUNDCHAT", "The flow that routes inbound chats."),
    ("INBOUNDEMAIL", "The flow that routes inbound e-mail."),
    ("INBOUNDSHORTMESSAGE", "The flow that routes inbound messages (SMS, web messaging)."),
    ("INQUEUECALL", "The in-queue flow: hold music, position announcements, callback offers while waiting."),
    ("INQUEUEEMAIL", "In-queue flow for e-mail."),
    ("INQUEUESHORTMESSAGE", "In-queue flow for messages."),
    ("OUTBOUNDCALL", "A flow that runs on outbound campaign calls."),
    ("SECURECALL", "A secure flow (payment card entry and the like); its data is kept out of recordings."),
    ("SPEECH", "A speech-enabled flow."),
    ("SURVEYINVITE", "A flow that invites to a survey."),
    ("VOICE", "A voice flow."),
    ("VOICEMAIL", "A voicemail flow."),
    ("VOICESURVEY", "A voice survey flow."),
    ("WORKFLOW", "A workflow (no media; acts on data)."),
    ("WORKITEM", "A work item flow."),
];

/// Flow entry types.
pub const ENTRY_TYPES: &[(&str, &str)] = &[
    ("agent", "An agent transferred the call into the flow."),
    ("direct", "Entered directly (for example a direct routing address)."),
    ("dnis", "The customer dialled a number (DID) that routes to this flow; entryReason is that number."),
    ("flow", "Another flow transferred the call here."),
    ("outbound", "An outbound call ran this flow."),
];

const PROPERTY_TYPES: &[(&str, &str)] = &[
    ("bool", "true/false"),
    ("date", "a date-time"),
    ("double", "a number with a fraction"),
    ("integer", "a whole number"),
    ("string", "text"),
    ("uuid", "an id"),
];

const ROUTINGS: &[(&str, &str)] = &[
    ("Bullseye", "Widening rings of agents, relaxing skills ring by ring"),
    ("Conditional", "Conditional group routing: agent groups tried in order by rules"),
    ("Direct", "Routed directly to a chosen agent"),
    ("Last", "Last agent routing: back to the agent who handled the customer before"),
    ("Manual", "Assigned by hand"),
    ("Predictive", "Predictive routing: the agent most likely to get the best outcome"),
    ("Preferred", "Preferred agent routing: agents named for this customer first"),
    ("Standard", "Standard: longest idle agent with the skills"),
    ("Vip", "VIP routing: ahead of others in the queue"),
];

const ROUTING_RULES: &[(&str, &str)] = &[
    ("Bullseye", "A bullseye ring rule"),
    ("Conditional", "A conditional group routing rule"),
    ("Predictive", "A predictive routing rule"),
    ("Preferred", "A preferred agent rule"),
];

const DELIVERY_STATUSES: &[(&str, &str)] = &[
    ("DeliveryFailed", "The channel reported that delivery failed"),
    ("DeliveryPushed", "Pushed to the customer's device"),
    ("DeliverySuccess", "The channel confirmed delivery"),
    ("Failed", "Sending failed"),
    ("Published", "Published (public social post)"),
    ("Queued", "Waiting to be sent"),
    ("Read", "The customer read it"),
    ("Received", "Received from the customer"),
    ("Sent", "Sent to the channel"),
];

/// Channels a messaging engagement can come from; each value names its channel.
const ENGAGEMENT_SOURCES: &[(&str, &str)] = &[
    ("AppleMessagesForBusiness", "Messages from AppleMessagesForBusiness"),
    ("Discord", "Messages from Discord"),
    ("Email", "E-mail"),
    ("Facebook", "Messages from Facebook"),
    ("FacebookMessenger", "Messages from FacebookMessenger"),
    ("Glassdoor", "Messages from Glassdoor"),
    ("GoogleBusinessProfile", "Messages from GoogleBusinessProfile"),
    ("Instagram", "Messages from Instagram"),
    ("KakaoTalk", "Messages from KakaoTalk"),
    ("Line", "Messages from Line"),
    ("LinkedIn", "Messages from LinkedIn"),
    ("MicrosoftTeams", "Messages from MicrosoftTeams"),
    ("MobileChat", "In-app chat"),
    ("Other", "A channel not listed"),
    ("QQ", "Messages from QQ"),
    ("Reddit", "Messages from Reddit"),
    ("ServiceNow", "Messages from ServiceNow"),
    ("SFDC", "Salesforce"),
    ("SMS", "Text messages"),
    ("Snapchat", "Messages from Snapchat"),
    ("Telegram", "Messages from Telegram"),
    ("Threads", "Messages from Threads"),
    ("Trustpilot", "Messages from Trustpilot"),
    ("Unspecified", "Not said"),
    ("Viber", "Messages from Viber"),
    ("WebChat", "Web chat"),
    ("WeChat", "Messages from WeChat"),
    ("Weibo", "Messages from Weibo"),
    ("WhatsApp", "Messages from WhatsApp"),
    ("X", "Messages from X"),
    ("Yelp", "Messages from Yelp"),
    ("YouTube", "Messages from YouTube"),
    ("Zendesk", "Messages from Zendesk"),
    ("OpenMessaging", "An Open Messaging integration (a custom channel)"),
];

/// Every entry, grouped by the type it belongs to.
pub static FIELDS: &[Field] = &[
    // ── AnalyticsConversation ────────────────────────────────────────────────────────────
    f!("conversation.conversationId", "AnalyticsConversation", "The call's id. The same id is used by the Conversations API, recordings, evaluations and the Interactions view, so it is the key to join everything on.", "Once per record.", &[], "The same conversation appears in neighbouring query windows (see query.interval); deduplicate on this id."),
    f!("conversation.conversationStart", "AnalyticsConversation", "When the conversation began: the first segment of any participant.", "Once per record.", &[], "Query intervals match conversations by the UTC day of this time, not by overlap (see query.interval)."),
    f!("conversation.conversationEnd", "AnalyticsConversation", "When the last participant left. Absent while the conversation is still going on.", "Once per record; absent while active.", &[], "Filter on it with the `conversationEnd` dimension and operator `exists` to get only finished calls. Some older records lack it even though every segment has ended; calltrail still reports such a call as ongoing, with a warning giving the last segment end. Wrap-up can still be in progress when it is set: agents' wrapup segments may end later."),
    f!("conversation.originatingDirection", "AnalyticsConversation", "The direction of the conversation at its start: did it begin with someone calling in, or with the organisation dialling out?", "Once per record.", DIRECTIONS, "It says nothing about later legs. An inbound call transferred to an external number is still `inbound` here, while the Genesys UI shows \"Inbound / Outbound\". A user-to-user call has a direction here although nobody outside took part; calltrail calls it internal."),
    f!("conversation.conversationInitiator", "AnalyticsConversation", "The purpose of the participant who started the conversation.", "Once per record, on newer records.", PURPOSES, "Older records lack it; calltrail falls back to the sessions' directions."),
    f!("conversation.customerParticipation", "AnalyticsConversation", "True when an external customer took part (for example, false for an internal call)."),
    f!("conversation.divisionIds", "AnalyticsConversation", "The divisions the conversation belongs to (for access control): those of the queues, flows and users involved.", "", &[], "A conversation can be in several divisions; filtering by one division matches any."),
    f!("conversation.externalTag", "AnalyticsConversation", "A tag set by an integration (for example an external system's ticket id)."),
    f!("conversation.conferenceStart", "AnalyticsConversation", "When the call became a conference (three or more parties connected)."),
    f!("conversation.mediaStatsMinConversationMos", "AnalyticsConversation", "The worst Mean Opinion Score of any leg of the call: a 1–5 estimate of voice quality (4.0 and above is good).", "Voice calls."),
    f!("conversation.mediaStatsMinConversationRFactor", "AnalyticsConversation", "The worst R-factor of any leg: a 0–100 voice quality score (80 and above is good).", "Voice calls."),
    f!("conversation.selfServed", "AnalyticsConversation", "True when the call stayed in flows (IVR or bot) from start to end: no queue, no agent.", "", &[], "It does not say whether the caller got what they wanted: a caller who hung up in the menu is also \"self served\" here. calltrail separates the two by who hung up."),
    f!("conversation.inactivityTimeout", "AnalyticsConversation", "When an idle messaging conversation will be closed automatically."),
    f!("conversation.knowledgeBaseIds", "AnalyticsConversation", "Knowledge bases consulted during the conversation."),
    f!("conversation.associatedConversationId", "AnalyticsConversation", "Another conversation this one is associated with."),
    f!("conversation.consultationConversationIds", "AnalyticsConversation", "Conversations created for consultations (consult calls placed in a separate conversation)."),
    f!("conversation.accessAttributes", "AnalyticsConversation", "Attributes used to restrict who may see the conversation."),
    f!("conversation.originatingSocialMediaPublic", "AnalyticsConversation", "True when a social-media conversation started from a public post rather than a private message."),
    f!("conversation.evaluations", "AnalyticsConversation", "Quality evaluations of the conversation: form, evaluator, agent, status and scores (oTotalScore, oTotalCriticalScore)."),
    f!("conversation.surveys", "AnalyticsConversation", "Surveys sent after the conversation, with status and scores (oSurveyTotalScore, surveyPromoterScore)."),
    f!("conversation.resolutions", "AnalyticsConversation", "Whether the customer came back: nNextContactAvoided per queue and user."),
    f!("conversation.participants", "AnalyticsConversation", "Everyone and everything that took part: the customer, IVR flows, queues, agents, users, voicemail, external parties. Each has sessions, and each session has segments.", "", &[], "Participants are not sorted by time. A person appears once per time they joined: an agent who took the call back after a transfer is a second participant."),
    // ── AnalyticsParticipant ─────────────────────────────────────────────────────────────
    f!("participant.participantId", "AnalyticsParticipant", "The participant's id within the conversation; the same id as `participants[].id` in the Conversations API."),
    f!("participant.participantName", "AnalyticsParticipant", "A display name: the customer's caller-ID name, the agent's name, the queue's name for `acd`, the flow's name for `ivr`.", "", &[], "It is the name at the time of the call; for agents and queues prefer the name looked up by userId or queueId."),
    f!("participant.purpose", "AnalyticsParticipant", "What the participant is in the conversation.", "Every participant.", PURPOSES, "`agent` versus `user` is routing, not job title: the same person is `agent` on queue calls and `user` on direct calls."),
    f!("participant.userId", "AnalyticsParticipant", "The Genesys user id of an agent or user; resolve the name with /api/v2/users.", "`agent` and `user` participants."),
    f!("participant.teamId", "AnalyticsParticipant", "The work team of the agent at the time of the call."),
    f!("participant.externalContactId", "AnalyticsParticipant", "The external contact (CRM-like record in Genesys) matched to the customer."),
    f!("participant.externalOrganizationId", "AnalyticsParticipant", "The external organisation of that contact."),
    f!("participant.flaggedReason", "AnalyticsParticipant", "Why the participant's interaction was flagged by the agent.", "", &[("general", "Flagged without a specific reason.")]),
    f!("participant.screenRecording", "AnalyticsParticipant", "True when the agent's screen was recorded."),
    f!("participant.sessions", "AnalyticsParticipant", "The participant's media sessions: usually one, more when media changed (a voice call plus a callback, say)."),
    f!("participant.attributes", "AnalyticsParticipant", "Participant data: key/value pairs set by Architect's Set Participant Data action or by scripts, such as the intent a caller chose (`MainIntent1`). This is where \"why did they call\" usually lives.", "Only in job results (and the Conversations API's participants[].attributes); never in the details query.", &[], "Keys and values are cut to 1,024 characters, but there is no limit on how many. Values are caller-influenced text: escape them before showing them anywhere."),
    // ── AnalyticsSession ─────────────────────────────────────────────────────────────────
    f!("session.sessionId", "AnalyticsSession", "The session's id."),
    f!("session.mediaType", "AnalyticsSession", "The kind of media of this session.", "Every session.", MEDIA_TYPES, "A voice call that took a callback has both a `voice` and a `callback` session."),
    f!("session.direction", "AnalyticsSession", "The direction of this leg. For the customer or external participant it tells whether the call came in or went out.", "Every session.", DIRECTIONS, "Agents' and IVR sessions carry the direction of the call they were part of; only external parties' sessions decide the call's direction. An external leg whose direction differs from the call's makes it \"Inbound / Outbound\"."),
    f!("session.ani", "AnalyticsSession", "Automatic Number Identification: the calling number of this leg.", "Voice sessions.", &[], "On inbound calls it is the customer's number; on outbound calls it is the organisation's caller ID, and the customer's number is in `dnis`. Values are URIs: `tel:+15551234567`, or `sip:` for internal legs."),
    f!("session.dnis", "AnalyticsSession", "The number dialled by the calling party of this leg.", "Voice sessions.", &[], "On inbound calls it is the organisation's number the customer dialled; on outbound calls it is the customer's number (ANI and DNIS swap with direction)."),
    f!("session.sessionDnis", "AnalyticsSession", "The number dialled for this particular session; differs from `dnis` when the call was transferred.", "Voice sessions; on agent sessions often a SIP URI of the agent's station.", &[], "Do not use it as the number the customer dialled: after a transfer it is the transfer target."),
    f!("session.remote", "AnalyticsSession", "Name, number or e-mail address of the party at the other end of this session."),
    f!("session.remoteNameDisplayable", "AnalyticsSession", "The caller-ID name of the other end, as displayable."),
    f!("session.addressFrom", "AnalyticsSession", "The address that initiated an action (the sender of an e-mail or message)."),
    f!("session.addressTo", "AnalyticsSession", "The address receiving an action (the e-mail address or channel written to)."),
    f!("session.addressSelf", "AnalyticsSession", "This participant's own address (e-mail)."),
    f!("session.addressOther", "AnalyticsSession", "The other party's address (e-mail)."),
    f!("session.cc", "AnalyticsSession", "E-mail Cc addresses."),
    f!("session.bcc", "AnalyticsSession", "E-mail Bcc addresses."),
    f!("session.peerId", "AnalyticsSession", "The id of the session this one is connected to; internal sessions point back to the customer's original session."),
    f!("session.protocolCallId", "AnalyticsSession", "The SIP Call-ID of this leg: the key for matching with carrier or SBC logs."),
    f!("session.edgeId", "AnalyticsSession", "The Edge (media server) that handled this voice leg."),
    f!("session.provider", "AnalyticsSession", "The system that provided this session (`Edge` for voice, a chat or messaging provider name)."),
    f!("session.recording", "AnalyticsSession", "True when this session was recorded."),
    f!("session.mediaEndpointStats", "AnalyticsSession", "Voice quality as measured at this endpoint: codecs, packet loss and discards, latency, MOS and R-factor."),
    f!("session.flow", "AnalyticsSession", "The Architect flow this session ran in: IVR flows on `ivr` participants, in-queue flows on `acd` participants.", "IVR, bot and queue sessions."),
    f!("session.metrics", "AnalyticsSession", "Counts (`n…`), durations in milliseconds (`t…`) and observations (`o…`) Genesys computed for this session; see the metric.* entries.", "", &[], "A metric appears only once the event it measures has happened: an ongoing talk has no tTalk yet."),
    f!("session.segments", "AnalyticsSession", "The session's timeline: one segment per state (alert, interact, hold, wrapup, ...), in time order."),
    f!("session.selectedAgentId", "AnalyticsSession", "The agent the routing engine selected for this interaction."),
    f!("session.selectedAgentRank", "AnalyticsSession", "The selected agent's rank under predictive or bullseye routing."),
    f!("session.agentBullseyeRing", "AnalyticsSession", "The bullseye ring the selected agent was in."),
    f!("session.routingRing", "AnalyticsSession", "The bullseye ring reached when the interaction was routed."),
    f!("session.requestedRoutings", "AnalyticsSession", "The routing methods the queue asked for.", "Queue and agent sessions.", ROUTINGS),
    f!("session.usedRouting", "AnalyticsSession", "The routing method that actually routed the interaction.", "Queue and agent sessions.", ROUTINGS, "It can differ from requestedRoutings: predictive routing falls back to standard when it cannot decide."),
    f!("session.routingRule", "AnalyticsSession", "The routing rule that was applied."),
    f!("session.routingRuleType", "AnalyticsSession", "The kind of routing rule applied.", "", ROUTING_RULES),
    f!("session.activeSkillIds", "AnalyticsSession", "Skills required when the interaction was routed."),
    f!("session.removedSkillIds", "AnalyticsSession", "Skills removed (relaxed) while waiting, to find an agent sooner."),
    f!("session.skillExpressionId", "AnalyticsSession", "The skill expression used for routing."),
    f!("session.proposedAgents", "AnalyticsSession", "Agents the routing engine proposed, with their ranks."),
    f!("session.agentGroups", "AnalyticsSession", "Agent groups considered by conditional group routing."),
    f!("session.eligibleAgentCounts", "AnalyticsSession", "How many agents were eligible, at each routing step."),
    f!("session.waitingInteractionCounts", "AnalyticsSession", "How many interactions were waiting, at each routing step."),
    f!("session.flowInType", "AnalyticsSession", "How the call came into the queue (for example `ivr` when an IVR transferred it)."),
    f!("session.flowOutType", "AnalyticsSession", "Set when the call left the queue through a flow rather than to an agent (tFlowOut): to voicemail, a callback, another queue."),
    f!("session.outboundCampaignId", "AnalyticsSession", "The outbound campaign that placed this call.", "Campaign calls.", &[], "Older records of campaign calls, preview callbacks especially, carry no `direction` on any session and no `originatingDirection`; the campaign id is then what says the call was outbound, and calltrail reads it so."),
    f!("session.outboundContactId", "AnalyticsSession", "The contact-list row the campaign dialled."),
    f!("session.outboundContactListId", "AnalyticsSession", "The contact list of that row."),
    f!("session.dispositionAnalyzer", "AnalyticsSession", "What the call analyser detected on an outbound call (live voice, machine, fax...)."),
    f!("session.dispositionName", "AnalyticsSession", "The disposition the analyser assigned."),
    f!("session.callbackNumbers", "AnalyticsSession", "The numbers to call back on.", "Callback sessions.", &[], "A callback session often has no `ani` or `dnis` until the callback is dialled, so the customer's number is only here; calltrail takes the first non-empty one as the customer's address when the session has neither."),
    f!("session.callbackScheduledTime", "AnalyticsSession", "When the callback is scheduled for."),
    f!("session.callbackUserName", "AnalyticsSession", "The name the customer gave for the callback."),
    f!("session.skipEnabled", "AnalyticsSession", "True when the agent may skip this preview or callback."),
    f!("session.timeoutSeconds", "AnalyticsSession", "Seconds before a callback or preview times out."),
    f!("session.scriptId", "AnalyticsSession", "The agent script shown for this interaction."),
    f!("session.acwSkipped", "AnalyticsSession", "True when after-call work was skipped."),
    f!("session.agentOwned", "AnalyticsSession", "True when the callback is owned by a specific agent."),
    f!("session.assignerId", "AnalyticsSession", "Who assigned the interaction (for manual assignment)."),
    f!("session.authenticated", "AnalyticsSession", "True when the customer was authenticated (messaging)."),
    f!("session.cleared", "AnalyticsSession", "True when the interaction was cleared from the queue."),
    f!("session.deliveryPushed", "AnalyticsSession", "True when a message was pushed to the customer."),
    f!("session.deliveryStatus", "AnalyticsSession", "Delivery status of the last message.", "Message sessions.", DELIVERY_STATUSES),
    f!("session.deliveryStatusChangeDate", "AnalyticsSession", "When deliveryStatus last changed."),
    f!("session.extendedDeliveryStatus", "AnalyticsSession", "More detail on the delivery status."),
    f!("session.destinationAddresses", "AnalyticsSession", "Addresses the interaction was sent to."),
    f!("session.detectedSpeechStart", "AnalyticsSession", "When speech was first detected on an outbound call."),
    f!("session.detectedSpeechEnd", "AnalyticsSession", "When detected speech ended."),
    f!("session.engagementSource", "AnalyticsSession", "The channel a messaging engagement came from.", "Message sessions.", ENGAGEMENT_SOURCES),
    f!("session.errorCodeDescription", "AnalyticsSession", "A description of the session's error."),
    f!("session.journeyActionId", "AnalyticsSession", "The Predictive Engagement action that started the interaction."),
    f!("session.journeyActionMapId", "AnalyticsSession", "The action map of that action."),
    f!("session.journeyActionMapVersion", "AnalyticsSession", "The action map's version."),
    f!("session.journeyCustomerId", "AnalyticsSession", "The customer id in Predictive Engagement."),
    f!("session.journeyCustomerIdType", "AnalyticsSession", "The type of that id."),
    f!("session.journeyCustomerSessionId", "AnalyticsSession", "The customer's web session id."),
    f!("session.journeyCustomerSessionIdType", "AnalyticsSession", "The type of that session id."),
    f!("session.mediaBridgeId", "AnalyticsSession", "The media bridge of the session."),
    f!("session.mediaCount", "AnalyticsSession", "How many media items (attachments) the session had."),
    f!("session.messageType", "AnalyticsSession", "The messaging channel (sms, facebook, whatsapp, webmessaging, ...)."),
    f!("session.monitoredParticipantId", "AnalyticsSession", "The participant a supervisor monitored.", "A supervisor's session (purpose agent or user) with `monitoring` segments.", &[], "A supervisor who listens in is a participant of the call like the agent, with purpose `agent` or `user`; counted as one, they look like an agent who was never offered the call and, when they leave last, like the one who hung up. calltrail keeps their segments in the timeline but leaves a participant whose every session monitored, coached or barged in (and who was never alerted or connected in its own right) out of the agent legs, the parties and who hung up."),
    f!("session.coachedParticipantId", "AnalyticsSession", "The participant a supervisor coached."),
    f!("session.bargedParticipantId", "AnalyticsSession", "The participant a supervisor barged in on."),
    f!("session.screenMonitoredUserId", "AnalyticsSession", "The user whose screen was monitored."),
    f!("session.agentAssistantId", "AnalyticsSession", "The agent assistant (Agent Copilot) used."),
    f!("session.cobrowseRole", "AnalyticsSession", "The role in a co-browse session."),
    f!("session.cobrowseRoomId", "AnalyticsSession", "The co-browse room."),
    f!("session.roomId", "AnalyticsSession", "The chat room."),
    f!("session.screenShareAddressSelf", "AnalyticsSession", "The address of this side of a screen share."),
    f!("session.screenShareRoomId", "AnalyticsSession", "The screen-share room."),
    f!("session.sharingScreen", "AnalyticsSession", "True when this participant shared their screen."),
    f!("session.snippetRecording", "AnalyticsSession", "True when only a snippet was recorded."),
    f!("session.videoAddressSelf", "AnalyticsSession", "The address of this side of a video session."),
    f!("session.videoRoomId", "AnalyticsSession", "The video room."),
    // ── AnalyticsConversationSegment ─────────────────────────────────────────────────────
    f!("segment.segmentStart", "AnalyticsConversationSegment", "When the state began."),
    f!("segment.segmentEnd", "AnalyticsConversationSegment", "When the state ended; absent while it lasts.", "", &[], "Segments that are still open have no end; a finished conversation with an open segment is a sign of a late or partial record."),
    f!("segment.segmentType", "AnalyticsConversationSegment", "What the participant was doing during the segment.", "Every segment; what a type means depends on the participant's purpose (an `interact` of an `acd` participant is queue time, of an agent is talk time).", SEGMENT_TYPES, "Totals per phase are sums of segment durations by purpose and type: tTalk = agent interact, tHeld = agent hold, tAcw = agent wrapup, tAcd = acd interact, tIvr = ivr ivr."),
    f!("segment.disconnectType", "AnalyticsConversationSegment", "How the segment ended; on the last segment of a participant, how they left the call.", "The last segment of a participant, and segments ended by a transfer.", DISCONNECT_TYPES, "`endpoint`/`client` mean this participant hung up; `peer` means the other side did. Transfers end segments without ending the call. An agent's alert that ends `client` is a declined or missed offer, not a hang-up."),
    f!("segment.queueId", "AnalyticsConversationSegment", "The queue the segment belongs to: the queue waited in (acd), or the queue the call was offered from (agent).", "acd and agent segments; also on the customer's segments while queued."),
    f!("segment.groupId", "AnalyticsConversationSegment", "The group the call was offered to (group ring)."),
    f!("segment.conference", "AnalyticsConversationSegment", "True while three or more parties were connected."),
    f!("segment.errorCode", "AnalyticsConversationSegment", "An error code for the segment, for example the reason an agent was marked not responding."),
    f!("segment.q850ResponseCodes", "AnalyticsConversationSegment", "ISDN Q.850 cause codes of the leg (16 normal clearing, 17 busy, 18/19 no answer, ...)."),
    f!("segment.sipResponseCodes", "AnalyticsConversationSegment", "SIP response codes of the leg (486 busy, 480 unavailable, 404 not found, ...)."),
    f!("segment.wrapUpCode", "AnalyticsConversationSegment", "The wrap-up code the agent chose: normally the code's id, resolved to a name with /api/v2/routing/wrapupcodes. System values such as `ININ-WRAP-UP-TIMEOUT` (the agent did not choose in time) are not in that list.", "On the agent's segment with segmentType `wrapup`.", &[("ININ-WRAP-UP-TIMEOUT", "The wrap-up timer ran out before the agent chose a code"), ("ININ-OUTBOUND-*", "Codes the outbound dialer assigns (busy, machine, fax, transferred to queue, ...)")], "It is on the agent's wrapup segment, not on the conversation. With several agents, each has their own; the concluding one is that of the last agent who connected."),
    f!("segment.wrapUpNote", "AnalyticsConversationSegment", "The note the agent wrote during wrap-up.", "On the agent's wrapup segment.", &[], "Free text typed by agents: it can hold anything, including personal data."),
    f!("segment.wrapUpTags", "AnalyticsConversationSegment", "Tags the agent added during wrap-up.", "On the agent's wrapup segment."),
    f!("segment.subject", "AnalyticsConversationSegment", "The subject of an e-mail or message."),
    f!("segment.audioMuted", "AnalyticsConversationSegment", "True when audio was muted."),
    f!("segment.videoMuted", "AnalyticsConversationSegment", "True when video was muted."),
    f!("segment.requestedLanguageId", "AnalyticsConversationSegment", "The language skill requested for routing."),
    f!("segment.requestedRoutingSkillIds", "AnalyticsConversationSegment", "The skills requested for routing."),
    f!("segment.requestedRoutingUserIds", "AnalyticsConversationSegment", "Users requested for routing (preferred agents)."),
    f!("segment.sourceConversationId", "AnalyticsConversationSegment", "The conversation this segment came from (for example a consult)."),
    f!("segment.sourceSessionId", "AnalyticsConversationSegment", "The session this segment came from."),
    f!("segment.destinationConversationId", "AnalyticsConversationSegment", "The conversation this segment went on to."),
    f!("segment.destinationSessionId", "AnalyticsConversationSegment", "The session this segment went on to."),
    f!("segment.scoredAgents", "AnalyticsConversationSegment", "Agents scored by predictive routing, with their scores."),
    f!("segment.properties", "AnalyticsConversationSegment", "User-defined properties attached to the segment, each with a type.", "", PROPERTY_TYPES),
    // ── AnalyticsFlow ────────────────────────────────────────────────────────────────────
    f!("flow.flowId", "AnalyticsFlow", "The Architect flow's id."),
    f!("flow.flowName", "AnalyticsFlow", "The flow's name at the time of the call.", "", &[], "Flows get renamed; group by flowId for history, show flowName for people."),
    f!("flow.flowType", "AnalyticsFlow", "What kind of flow it is.", "", FLOW_TYPES, "In-queue flows (INQUEUECALL) appear on the acd participant; they are part of waiting in queue, not of the IVR."),
    f!("flow.flowVersion", "AnalyticsFlow", "The published version of the flow that ran: the key to matching a call with the flow's design at the time."),
    f!("flow.entryType", "AnalyticsFlow", "How the call entered the flow.", "", ENTRY_TYPES),
    f!("flow.entryReason", "AnalyticsFlow", "Why the flow was entered: for `dnis` entries, the number dialled."),
    f!("flow.exitReason", "AnalyticsFlow", "How the call left the flow.", "", &[("TRANSFER", "The flow transferred the call (to a queue, a user, a number or another flow)"), ("DISCONNECT", "The call ended in the flow")], "A free string, not an enum: expect other values."),
    f!("flow.transferType", "AnalyticsFlow", "What the flow transferred the call to.", "", &[("ACD", "A queue"), ("USER", "A user"), ("EXTERNAL", "An external number"), ("FLOW", "Another flow"), ("VOICEMAIL", "A voicemail box")], "A free string; ACD is the one seen most."),
    f!("flow.transferTargetName", "AnalyticsFlow", "The name of the transfer target: for ACD transfers, the queue's name. Often the best available answer to \"why did they call\" when no participant data was set."),
    f!("flow.transferTargetAddress", "AnalyticsFlow", "The transfer target's address: a queue id, a phone number or an e-mail address."),
    f!("flow.issuedCallback", "AnalyticsFlow", "True when the flow scheduled a callback for the caller."),
    f!("flow.startingLanguage", "AnalyticsFlow", "The flow's language when the call entered it."),
    f!("flow.endingLanguage", "AnalyticsFlow", "The language when the call left it (the caller may have switched)."),
    f!("flow.recognitionFailureReason", "AnalyticsFlow", "Why speech or DTMF recognition failed, when it did."),
    f!("flow.outcomes", "AnalyticsFlow", "Flow outcomes: milestones the flow designer defined (\"Identified\", \"Balance given\") and whether the call reached them.", "", &[], "Menu choices are not recorded as such: only outcomes, milestones, the transfer target and participant data show what happened in the IVR."),
    // ── AnalyticsFlowOutcome ─────────────────────────────────────────────────────────────
    f!("outcome.flowOutcomeId", "AnalyticsFlowOutcome", "The outcome's id; resolve its name with the flow outcomes listing."),
    f!("outcome.flowOutcomeValue", "AnalyticsFlowOutcome", "The outcome's result.", "", &[("SUCCESS", "The milestone was reached"), ("FAILURE", "The flow marked it failed")]),
    f!("outcome.flowOutcome", "AnalyticsFlowOutcome", "`id:value` in one string."),
    f!("outcome.flowOutcomeStartTimestamp", "AnalyticsFlowOutcome", "When the flow started the outcome."),
    f!("outcome.flowOutcomeEndTimestamp", "AnalyticsFlowOutcome", "When the outcome was reached; null when it was not.", "", &[], "A started outcome without an end did not succeed."),
    // ── AnalyticsSessionMetric ───────────────────────────────────────────────────────────
    f!("metric.name", "AnalyticsSessionMetric", "The metric's name; its first letter tells the kind: `n` a count, `t` a duration in milliseconds, `o` an observation. See the metric.* entries."),
    f!("metric.value", "AnalyticsSessionMetric", "The metric's value (milliseconds for `t` metrics).", "", &[], "A duration metric may be emitted more than once in a session (once per segment); add them up."),
    f!("metric.emitDate", "AnalyticsSessionMetric", "When the metric was emitted: the end of the event it measures."),
    // ── Metrics ──────────────────────────────────────────────────────────────────────────
    f!("metric.tIvr", "Metrics", "Time in the IVR: the sum of the ivr participant's `ivr` segments.", "ivr sessions."),
    f!("metric.tFlow", "Metrics", "Time in a flow.", "ivr sessions."),
    f!("metric.tFlowExit", "Metrics", "Time in a flow that was left by a transfer or exit.", "ivr sessions."),
    f!("metric.tFlowDisconnect", "Metrics", "Time in a flow that ended with a disconnect.", "ivr sessions."),
    f!("metric.tFlowOut", "Metrics", "Time in queue before an in-queue flow took the call out of the queue (to voicemail, a callback, another target).", "acd sessions."),
    f!("metric.tFlowOutcome", "Metrics", "Time to reach a flow outcome."),
    f!("metric.nFlow", "Metrics", "Flows entered."),
    f!("metric.nFlowOutcome", "Metrics", "Flow outcomes reached."),
    f!("metric.nFlowOutcomeFailed", "Metrics", "Flow outcomes that failed."),
    f!("metric.nFlowMilestone", "Metrics", "Flow milestones hit; milestones exist only as metrics."),
    f!("metric.nOffered", "Metrics", "The call was offered to the queue.", "acd sessions."),
    f!("metric.tAcd", "Metrics", "Time waiting in the queue: the acd participant's `interact` segments. Includes the time agents were being alerted.", "acd sessions."),
    f!("metric.tAbandon", "Metrics", "Time in queue before the customer hung up (an abandon).", "acd sessions of abandoned calls."),
    f!("metric.tShortAbandon", "Metrics", "An abandon shorter than the short-abandon threshold."),
    f!("metric.nOverSla", "Metrics", "The call waited longer than the queue's service level target."),
    f!("metric.tAlert", "Metrics", "Time the call rang at the agent: their `alert` segments.", "agent and user sessions."),
    f!("metric.tAnswered", "Metrics", "Time in queue until this agent answered: the answer speed.", "The answering agent's session."),
    f!("metric.tNotResponding", "Metrics", "Time the call rang at an agent who did not answer before the alert timed out.", "Not-responding agents' sessions."),
    f!("metric.tTalk", "Metrics", "Talk time: the agent's `interact` segments.", "agent and user sessions."),
    f!("metric.tTalkComplete", "Metrics", "Talk time, emitted once the talk is complete."),
    f!("metric.tHeld", "Metrics", "Hold time: the agent's `hold` segments."),
    f!("metric.tHeldComplete", "Metrics", "Hold time, emitted once complete."),
    f!("metric.tAcw", "Metrics", "After-call work: the agent's `wrapup` segments."),
    f!("metric.tHandle", "Metrics", "Handle time: tTalk + tHeld + tAcw.", "agent and user sessions.", &[], "Alert time is not part of handle time."),
    f!("metric.tVoicemail", "Metrics", "Time spent leaving a voicemail."),
    f!("metric.tDialing", "Metrics", "Time dialling an outbound call."),
    f!("metric.tContacting", "Metrics", "Time the far end rang on an outbound call."),
    f!("metric.tConnected", "Metrics", "Time connected."),
    f!("metric.nConnected", "Metrics", "The participant connected.", "customer sessions."),
    f!("metric.nError", "Metrics", "An error on the session, for example an agent not responding."),
    f!("metric.nTransferred", "Metrics", "The call was transferred."),
    f!("metric.nBlindTransferred", "Metrics", "The call was blind-transferred."),
    f!("metric.nConsultTransferred", "Metrics", "The call was consult-transferred."),
    f!("metric.nConsult", "Metrics", "The agent started a consultation."),
    f!("metric.nOutbound", "Metrics", "An outbound call was placed."),
    f!("metric.nOutboundAttempted", "Metrics", "A campaign attempted the call."),
    f!("metric.nOutboundConnected", "Metrics", "A campaign call connected."),
    f!("metric.nOutboundAbandoned", "Metrics", "A campaign call connected but no agent was available (outbound abandon)."),
    f!("metric.tMonitoring", "Metrics", "Time a supervisor monitored."),
    f!("metric.tCoaching", "Metrics", "Time a supervisor coached."),
    f!("metric.tPark", "Metrics", "Time the call was parked."),
    f!("metric.oInteracting", "Metrics", "Not a detail metric: an observation of the aggregate APIs. Detail records never carry it (nor tWait)."),
    // ── Query semantics ──────────────────────────────────────────────────────────────────
    f!("query.interval", "ConversationQuery", "The time range of a details query, as ISO-8601 `start/end`.", "Every details query and job.", &[], "The details query returns conversations that STARTED on a UTC day the interval touches, not those overlapping it: a query for 10:00–11:00 returns calls of that whole UTC day's start dates that the filters allow, and a call spanning midnight appears in queries for both days. Jobs by default match conversations whose lifetime overlaps the interval (`startOfDayIntervalMatching: true` gives the query's rule). Intervals are limited (7 days without a filter, 31 with one) and a query pages at most 100,000 results: split long ranges and deduplicate by conversationId."),
    f!("query.paging", "ConversationQuery", "Page size and number of a details query.", "", &[], "pageSize is at most 100; pageNumber × pageSize may not pass 100,000 (HTTP 400 `Pagination may not exceed 100000 results`). Use narrower intervals, or jobs, for more."),
    f!("conversationApi.attributes", "Conversations API", "Participant data from GET /api/v2/conversations/{id}: the same attributes as job results, for conversations the details query returned without them.", "participants[].attributes", &[], "The Conversations API keeps conversations for a limited time (about two months): fetch attributes soon, or use jobs for older data."),
    f!("conversationApi.wrapup", "Conversations API", "The agent's wrap-up as the Conversations API reports it: `code` (the wrap-up code id), `name`, `notes`, `tags`, `durationSeconds`, `endTime`.", "participants[].wrapup"),
];

/// Entries whose path or last name component is `name` (case-insensitive): `ani`,
/// `session.ani`, `tTalk` and `metric.tTalk` all work.
pub fn find(name: &str) -> Vec<&'static Field> {
    let name = name.trim();
    FIELDS
        .iter()
        .filter(|f| {
            f.path.eq_ignore_ascii_case(name)
                || f.path.rsplit('.').next().is_some_and(|last| last.eq_ignore_ascii_case(name))
        })
        .collect()
}

/// How [`search`] found its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// By their name (or none matched at all).
    ByName,
    /// As the fields the name is a value of.
    ByValue,
}

/// The fields `name` names, else those it is a value of (`ININ-WRAP-UP-TIMEOUT` finds
/// `segment.wrapUpCode`); empty when it is neither.
pub fn search(name: &str) -> (Vec<&'static Field>, Found) {
    let named = find(name);
    if !named.is_empty() {
        return (named, Found::ByName);
    }
    let valued = with_value(name);
    let found = if valued.is_empty() { Found::ByName } else { Found::ByValue };
    (valued, found)
}

/// The fields that have `value` among their values (`transportFailure`, `ININ-WRAP-UP-TIMEOUT`,
/// or `ININ-OUTBOUND-BUSY` under `ININ-OUTBOUND-*`), in any case.
pub fn with_value(value: &str) -> Vec<&'static Field> {
    let value = value.trim().to_ascii_lowercase();
    let matches = |known: &str| {
        let known = known.to_ascii_lowercase();
        match known.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix) && value.len() > prefix.len(),
            None => known == value,
        }
    };
    FIELDS.iter().filter(|f| !value.is_empty() && f.values.iter().any(|(known, _)| matches(known))).collect()
}

/// The closest known field name to `name`, for "did you mean" hints: one it begins, else one
/// within three edits of it.
pub fn suggest(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let lasts = || FIELDS.iter().filter_map(|f| f.path.rsplit('.').next());
    let begun = lasts().filter(|last| name.len() >= 3 && last.to_ascii_lowercase().starts_with(&name));
    begun.min_by_key(|last| last.len()).or_else(|| {
        lasts()
            .map(|last| (distance(&name, &last.to_ascii_lowercase()), last))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, last)| last)
    })
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_path_or_last_name() {
        assert_eq!(find("session.ani").len(), 1);
        assert_eq!(find("ANI")[0].path, "session.ani");
        assert_eq!(find("tTalk")[0].path, "metric.tTalk");
        assert!(find("nonsense").is_empty());
        assert_eq!(suggest("segmentTyp"), Some("segmentType"));
        assert_eq!(suggest("tnotresp"), Some("tNotResponding"));
        assert_eq!(suggest("sesionDnis"), Some("sessionDnis"));
    }

    #[test]
    fn finds_the_fields_a_value_belongs_to() {
        let paths = |value: &str| with_value(value).iter().map(|f| f.path).collect::<Vec<_>>();
        assert_eq!(paths("ININ-WRAP-UP-TIMEOUT"), ["segment.wrapUpCode"]);
        assert_eq!(paths("inin-outbound-busy"), ["segment.wrapUpCode"]);
        assert!(paths("ININ-OUTBOUND-").is_empty());
        assert!(paths("transportFailure").contains(&"segment.disconnectType"));
        assert!(paths("").is_empty() && paths("no such value").is_empty());
    }

    #[test]
    fn paths_are_unique() {
        let mut paths: Vec<&str> = FIELDS.iter().map(|f| f.path).collect();
        paths.sort_unstable();
        let before = paths.len();
        paths.dedup();
        assert_eq!(before, paths.len());
    }
}
