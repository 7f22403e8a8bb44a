//! Delivers the mail outbox over SMTP, when the operator has configured a server
//! (`SAMTYKKE_SMTP_URL`, `SAMTYKKE_MAIL_FROM`). Without one, mail stays in the outbox and
//! `samtykke outbox` shows it, so every flow can be followed without a mail server.

use app::ports::{OutboxMail, Repository};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// A claim older than this is taken to be a sender that died mid-send.
const CLAIM_EXPIRES_MS: i64 = 5 * 60 * 1000;
const BATCH: u32 = 20;
const POLL: Duration = Duration::from_secs(5);

pub fn message(mail: &OutboxMail, from: &Mailbox) -> anyhow::Result<Message> {
    Ok(Message::builder()
        .from(from.clone())
        .to(mail.to.parse()?)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())?)
}

/// Sends what is waiting, once. Answers how many went out. Addresses are personal data, so only
/// the outbox id reaches the log.
pub async fn deliver_once<T>(repo: &dyn Repository, transport: &T, from: &Mailbox) -> anyhow::Result<usize>
where
    T: AsyncTransport + Sync,
    T::Error: std::fmt::Display,
{
    deliver_once_claiming_after(repo, transport, from, CLAIM_EXPIRES_MS).await
}

/// [`deliver_once`] with the claim timeout as a parameter, so a test can take over a claim.
pub async fn deliver_once_claiming_after<T>(repo: &dyn Repository, transport: &T, from: &Mailbox, claim_expires_ms: i64) -> anyhow::Result<usize>
where
    T: AsyncTransport + Sync,
    T::Error: std::fmt::Display,
{
    let mut sent = 0;
    for mail in repo.claim_unsent_mail(crate::auth::now_ms(), claim_expires_ms, BATCH).await? {
        let outcome = match message(&mail, from) {
            Ok(m) => transport.send(m).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(_) => {
                repo.mark_mail_sent(mail.id, crate::auth::now_ms()).await?;
                sent += 1;
            }
            Err(error) => tracing::warn!(mail_id = mail.id, error = %without_addresses(&error), "mail not sent; it stays in the outbox"),
        }
    }
    Ok(sent)
}

/// An SMTP server's refusal often quotes the recipient ("550 <ola@example.no>: unknown user");
/// the log gets the reason without the address.
pub fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| if word.contains('@') { "<address>" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts the sender in the background: every app server may run one, the claim keeps them from
/// sending a mail twice.
pub fn spawn_sender(repo: Arc<dyn Repository>, smtp_url: &str, from: &str) -> anyhow::Result<()> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?.build();
    let from: Mailbox = from.parse()?;
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_once(repo.as_ref(), &transport, &from).await {
                tracing::warn!(error = %e, "outbox");
            }
            tokio::time::sleep(POLL).await;
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_is_logged_without_the_address() {
        assert_eq!(
            super::without_addresses("permanent error (550): 5.1.1 <ola.nordmann@example.no>: Recipient address rejected"),
            "permanent error (550): 5.1.1 <address> Recipient address rejected"
        );
    }
}
