//! The mails Min Side sends, in Norwegian with English below: the customer's language is not
//! known before they have logged in once.

use crate::domain::min_side::login_path;
use crate::model::TenantId;
use crate::ports::NewMail;

/// The links a mail carries, on the public address the operator configured (never the request's
/// Host header, which an attacker could set to send a reset link to their own site).
pub struct Links {
    pub set_password: String,
    pub login: String,
}

impl Links {
    pub fn new(public_url: &str, tenant: TenantId, token: &str) -> Self {
        let base = public_url.trim_end_matches('/');
        Links { set_password: format!("{base}/min-side/aktiver?token={token}"), login: format!("{base}{}", login_path(tenant)) }
    }
}

pub fn invitation(company: &str, to: &str, links: &Links) -> NewMail {
    let Links { set_password, login } = links;
    NewMail {
        to: to.into(),
        subject: format!("Invitasjon til Min Side hos {company} / Invitation to Min Side"),
        body: format!(
            "Hei,\n\n{company} inviterer deg til Min Side. Der ser du hvilke samtykker du har gitt, og du kan gi eller trekke dem selv.\n\n\
             Velg et passord her (lenken virker én gang og i 7 dager):\n{set_password}\n\n\
             Senere logger du inn på:\n{login}\n\n\
             Hvis du ikke venter denne e-posten, kan du se bort fra den.\n\n\
             ---\n\n\
             {company} invites you to Min Side, where you see and change the consents you have given.\n\
             Choose a password here (the link works once, for 7 days):\n{set_password}\n\n\
             Later, log in at:\n{login}\n"
        ),
    }
}

pub fn password_reset(to: &str, links: &Links) -> NewMail {
    let Links { set_password, login } = links;
    NewMail {
        to: to.into(),
        subject: "Nytt passord til Min Side / New password for Min Side".into(),
        body: format!(
            "Hei,\n\nNoen ba om et nytt passord til Min Side for denne adressen. Velg et nytt her (lenken virker én gang og i én time):\n{set_password}\n\n\
             Ba du ikke om dette, kan du se bort fra e-posten; passordet ditt er ikke endret.\n\nInnlogging: {login}\n\n\
             ---\n\n\
             Someone asked for a new Min Side password for this address. Choose one here (the link works once, for one hour):\n{set_password}\n\n\
             If it was not you, ignore this mail; your password has not changed.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_carries_the_link_on_the_configured_address() {
        let links = Links::new("https://samtykke.example.no/", 7, "abc");
        let mail = invitation("Nordlys Regnskap AS", "kari@example.no", &links);
        assert_eq!(mail.to, "kari@example.no");
        assert!(mail.subject.contains("Nordlys Regnskap AS"));
        assert!(mail.body.contains("https://samtykke.example.no/min-side/aktiver?token=abc\n"));
        assert!(mail.body.contains("https://samtykke.example.no/min-side/7/logg-inn"));
    }

    #[test]
    fn the_reset_mail_says_the_password_is_unchanged_if_unasked() {
        let mail = password_reset("kari@example.no", &Links::new("http://127.0.0.1:3000", 1, "t"));
        assert!(mail.body.contains("passordet ditt er ikke endret"));
        assert!(mail.body.contains("http://127.0.0.1:3000/min-side/aktiver?token=t"));
    }
}
