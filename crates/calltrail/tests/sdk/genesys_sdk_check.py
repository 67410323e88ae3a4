"""The official Genesys Cloud Python SDK against calltrail's simulator.

Usage: python genesys_sdk_check.py http://127.0.0.1:PORT

Authenticates with client credentials, pages a details query, runs a full jobs round trip,
gets conversations (with attributes), lists users and queues (with their service levels),
deserialising every response into the SDK's own models. Fails (exit 1) on any error, and if any enum value the simulator sent is
unknown to the SDK (it would read as "outdated_sdk_version").
"""
import datetime
import json
import sys
import time

import PureCloudPlatformClientV2 as g


def check_models(obj, where):
    text = json.dumps(g.ApiClient().sanitize_for_serialization(obj))
    if "outdated_sdk_version" in text:
        raise SystemExit(f"{where}: the SDK did not recognise an enum value: {text[:500]}")
    return text


def main():
    host = sys.argv[1]
    g.configuration.host = host
    client = g.api_client.ApiClient(host=host).get_client_credentials_token("sdk-client", "sdk-secret")
    conversations = g.ConversationsApi(client)
    users = g.UsersApi(client)

    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    interval = f"{(today - datetime.timedelta(days=1)).isoformat()}/{today.isoformat()}"

    # A paged details query.
    query = g.ConversationQuery()
    query.interval = interval
    query.order = "asc"
    query.paging = g.PagingSpec()
    query.paging.page_size = 100
    seen, total, page = [], None, 1
    while True:
        query.paging.page_number = page
        response = conversations.post_analytics_conversations_details_query(query)
        assert isinstance(response, g.AnalyticsConversationQueryResponse), type(response)
        total = response.total_hits
        batch = response.conversations or []
        for c in batch:
            assert isinstance(c, g.AnalyticsConversationWithoutAttributes)
            for p in c.participants:
                for s in p.sessions:
                    for seg in s.segments:
                        assert seg.segment_start is not None
        check_models(response, f"query page {page}")
        seen.extend(c.conversation_id for c in batch)
        if len(batch) < 100:
            break
        page += 1
    assert total == len(seen) and total > 0, (total, len(seen))

    # A jobs round trip: submit, poll, page the results by cursor.
    body = g.AsyncConversationQuery()
    body.interval = interval
    job = conversations.post_analytics_conversations_details_jobs(body)
    deadline = time.time() + 60
    while True:
        status = conversations.get_analytics_conversations_details_job(job.job_id)
        assert isinstance(status, g.AsyncQueryStatus)
        if status.state == "FULFILLED":
            break
        assert status.state in ("QUEUED", "PENDING"), status.state
        assert time.time() < deadline, "job never fulfilled"
        time.sleep(0.2)
    results, cursor, with_attributes = [], None, 0
    while True:
        kwargs = {"page_size": 250}
        if cursor:
            kwargs["cursor"] = cursor
        response = conversations.get_analytics_conversations_details_job_results(job.job_id, **kwargs)
        assert isinstance(response, g.AnalyticsConversationAsyncQueryResponse)
        check_models(response, "job results")
        for c in response.conversations or []:
            assert isinstance(c, g.AnalyticsConversation)
            results.append(c.conversation_id)
            if any(p.attributes for p in c.participants):
                with_attributes += 1
        cursor = response.cursor
        if not cursor:
            break
    assert results and with_attributes > 0, (len(results), with_attributes)

    # Conversations API records, with participant attributes and wrap-ups.
    attributes = 0
    for conversation_id in seen[-20:]:
        record = conversations.get_conversation(conversation_id)
        assert isinstance(record, g.Conversation)
        check_models(record, f"conversation {conversation_id}")
        attributes += sum(1 for p in record.participants if p.attributes)
    assert attributes > 0

    # A user listing.
    listing = users.get_users(page_size=25, page_number=1)
    assert isinstance(listing, g.UserEntityListing)
    check_models(listing, "users")
    assert listing.total and listing.entities and all(u.name for u in listing.entities)

    # A queue listing, with each queue's service level per media.
    queues = g.RoutingApi(client).get_routing_queues(page_size=25, page_number=1)
    assert isinstance(queues, g.QueueEntityListing)
    check_models(queues, "queues")
    levels = [(q.name, q.media_settings.call.service_level.duration_ms, q.media_settings.email.service_level.percentage)
              for q in queues.entities]
    assert levels and all(ms > 0 and 0 < share <= 1 for _, ms, share in levels), levels

    print(f"sdk {g.__name__}: query {len(seen)} conversations in {page} pages; "
          f"job {len(results)} conversations ({with_attributes} with attributes); "
          f"20 conversations got; {len(listing.entities)} of {listing.total} users; "
          f"{len(levels)} queues with service levels")


if __name__ == "__main__":
    main()
