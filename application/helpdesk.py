"""The Helpdesk: the eventsourcing Application every entry point holds, its use cases by name.

Routes, intake, the outbox and the CLI call these (`helpdesk.pause(ticket_id, reason, department,
ctx, expected)`); each is defined in the module named for what it acts on, takes the caller's
Context last but If-Match, and is answered once per Idempotency-Key. `name` keeps the store's
table names and environment prefix.
"""

from application import (
    channels,
    customers,
    deliveries,
    intake,
    invites,
    library,
    mentions,
    policies,
    qa,
    saved_views,
    tickets,
    users,
)
from application.desk import Desk


class Helpdesk(Desk):
    name = "deskstream"

    # tickets
    open_ticket = tickets.open_ticket
    receive_message = tickets.receive_message
    reply = tickets.reply
    add_note = tickets.add_note
    assign = tickets.assign
    change_tags = tickets.change_tags
    set_type = tickets.set_type
    set_priority = tickets.set_priority
    pause = tickets.pause
    resume = tickets.resume
    resolve = tickets.resolve
    reopen = tickets.reopen
    rate = tickets.rate
    merge = tickets.merge
    change = tickets.change
    """Any ticket command given as a function: for tests and benchmarks; entry points use the names."""
    placeholder_values = tickets.placeholder_values

    # deliveries of replies (the outbox, provider status reports)
    record_delivery = deliveries.record_delivery
    record_delivery_failure = deliveries.record_delivery_failure
    report_reply_status = deliveries.report_reply_status

    # customers
    customer_for = customers.customer_for
    survivor = customers.survivor
    add_customer_note = customers.add_customer_note
    link_identity = customers.link_identity
    merge_customers = customers.merge_customers

    # channels, intake and mentions
    add_channel = channels.add_channel
    channel = channels.channel
    take_in = intake.take_in
    capture_mention = mentions.capture_mention
    mention = mentions.mention
    triage_mention = mentions.triage_mention
    answer_on_site = mentions.answer_on_site

    # snippets and articles
    snippet = library.snippet
    article = library.article
    create_snippet = library.create_snippet
    edit_snippet = library.edit_snippet
    archive_snippet = library.archive_snippet
    write_article = library.write_article
    revise_article = library.revise_article

    # SLA policies
    define_sla_policy = policies.define_sla_policy
    sla_policy = policies.sla_policy

    # QA: the monthly sample, the checklist, the reviews
    qa_sample = qa.qa_sample
    recorded_sample = qa.recorded_sample
    check_qa_month = qa.check_qa_month
    draw_qa_sample = qa.draw_qa_sample
    qa_checklist = qa.qa_checklist
    define_qa_checklist = qa.define_qa_checklist
    qa_review = qa.qa_review
    record_qa_review = qa.record_qa_review
    reviews_of_ticket = qa.reviews_of_ticket
    qa_operator = qa.operator_at

    # users and tokens
    register_user = users.register_user
    issue_token = users.issue_token
    revoke_token = users.revoke_token
    authenticate = users.authenticate
    set_password = users.set_password
    check_password = users.check_password
    choose_preferences = users.choose_preferences
    invite_user = invites.invite_user
    invited_user = invites.invited_user
    accept_invite = invites.accept_invite

    # saved views of the queue, per user
    saved_views_of = saved_views.saved_views_of
    save_view = saved_views.save_view
    delete_view = saved_views.delete_view
