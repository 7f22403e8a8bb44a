//! Automatisk anonymisering: the tenant's retention rule, what it reaches today, and running it
//! with a progress bar (the page calls the server one batch at a time).

use super::fields::{on_save_shortcut, Field, SaveStatus, SaveStatusLine};
use crate::api::{load_retention_rule, preview_retention_rule, run_retention_batch, save_retention_rule};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::i18n::{api_error, retention_count, retention_progress, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn RetentionRulePage() -> impl IntoView {
    let i18n = use_i18n();
    let rule = Resource::new(|| (), |_| load_retention_rule());
    view! {
        <main class="page retention-page">
            <h1>{move || i18n.t(Msg::RetentionRule)}</h1>
            <p class="hint">{move || i18n.t(Msg::RetentionRuleLead)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rule.await {
                        Ok(saved) => view! { <RetentionRuleForm saved/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Where a run stands: not started, asked to confirm, running (done of total), finished.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    Idle,
    Confirming,
    Running { done: i64, total: i64 },
    Finished { done: i64 },
}

#[component]
fn RetentionRuleForm(saved: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(saved.map(|y| y.to_string()).unwrap_or_default());
    let saved = RwSignal::new(saved);
    let status = RwSignal::new(SaveStatus::Idle);
    let preview = RwSignal::new(None::<RetentionPreview>);
    let run = RwSignal::new(Run::Idle);
    let run_error = RwSignal::new(None::<ApiError>);
    let errors = Signal::derive(move || match status.get() {
        SaveStatus::Failed(e) => e.field_errors().cloned().unwrap_or_default(),
        _ => FieldErrors::default(),
    });

    // What the saved rule reaches today; refreshed after a save and after a run.
    let refresh = move || {
        let Some(years) = saved.get_untracked() else {
            preview.set(None);
            return;
        };
        leptos::task::spawn_local(async move {
            preview.set(preview_retention_rule(years.to_string()).await.ok());
        });
    };
    Effect::new(move |_| refresh());

    let save = move || {
        status.set(SaveStatus::Saving);
        let years = typed.get_untracked();
        leptos::task::spawn_local(async move {
            match save_retention_rule(years).await {
                Ok(now) => {
                    saved.set(now);
                    typed.set(now.map(|y| y.to_string()).unwrap_or_default());
                    status.set(SaveStatus::Saved);
                    run.set(Run::Idle);
                    refresh();
                }
                Err(e) => status.set(SaveStatus::Failed(e)),
            }
        });
    };
    let start = move || {
        let total = preview.get_untracked().map_or(0, |p| p.count);
        run.set(Run::Running { done: 0, total });
        run_error.set(None);
        leptos::task::spawn_local(async move {
            let mut done = 0;
            loop {
                match run_retention_batch().await {
                    Ok(batch) => {
                        done += i64::from(batch.anonymised);
                        // Customers who became inactive meanwhile count too.
                        run.set(Run::Running { done, total: (done + batch.remaining).max(total) });
                        if batch.remaining == 0 || batch.anonymised == 0 {
                            break;
                        }
                    }
                    Err(e) => {
                        run_error.set(Some(e));
                        break;
                    }
                }
            }
            run.set(Run::Finished { done });
            refresh();
        });
    };

    let unsaved = move || typed.with(|t| t.trim().to_string()) != saved.get().map(|y| y.to_string()).unwrap_or_default();
    view! {
        <form class="retention-form" on:submit=move |e| { e.prevent_default(); save(); } on:keydown=on_save_shortcut(save)>
            <Field id="retention-years".into() field="years" label=Msg::InactivityYears
                value=typed.into() on_input=Callback::new(move |v| { typed.set(v); status.set(SaveStatus::Idle); }) errors/>
            <div class="form-actions">
                <button type="submit" class="primary">{move || i18n.t(Msg::SaveRule)}</button>
                <SaveStatusLine status id="retention-status"/>
            </div>
        </form>
        <section class="retention-preview" aria-labelledby="retention-preview-heading">
            <h2 id="retention-preview-heading">{move || i18n.t(Msg::RetentionReach)}</h2>
            {move || match (saved.get(), preview.get()) {
                (None, _) => view! { <p data-testid="retention-count">{move || i18n.t(Msg::NoRule)}</p> }.into_any(),
                (Some(_), None) => view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                (Some(_), Some(p)) => {
                    let (count, cutoff) = (p.count, p.cutoff.clone());
                    view! {
                        <p data-testid="retention-count">{move || retention_count(i18n.locale(), count, &cutoff)}</p>
                        <ul class="retention-first">
                            {p.first.into_iter().map(|c| view! {
                                <li><a href=format!("/kunder/{}", c.id)>{c.customer_number}" "{c.name}</a></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || {
                let count = preview.get().map_or(0, |p| p.count);
                match run.get() {
                    Run::Idle => view! {
                        <button type="button" disabled=move || count == 0 || unsaved()
                            on:click=move |_| run.set(Run::Confirming)>{move || i18n.t(Msg::RunRule)}</button>
                    }.into_any(),
                    Run::Confirming => view! {
                        <div class="confirm" role="group" aria-label=move || i18n.t(Msg::RunRule)>
                            <p>{move || i18n.t(Msg::RunRuleConfirm)}</p>
                            <button type="button" class="danger" on:click=move |_| start()>{move || i18n.t(Msg::Confirm)}</button>
                            <button type="button" on:click=move |_| run.set(Run::Idle)>{move || i18n.t(Msg::Cancel)}</button>
                        </div>
                    }.into_any(),
                    Run::Running { done, total } => view! {
                        <progress max=total.max(1) value=done aria-label=move || i18n.t(Msg::RunRule)></progress>
                        <p role="status" data-testid="retention-progress">{move || retention_progress(i18n.locale(), done, total)}</p>
                    }.into_any(),
                    Run::Finished { done } => view! {
                        <progress max=done.max(1) value=done aria-label=move || i18n.t(Msg::RunRule)></progress>
                        <p role="status" data-testid="retention-progress">{move || retention_progress(i18n.locale(), done, done)}</p>
                        <button type="button" on:click=move |_| run.set(Run::Idle)>{move || i18n.t(Msg::Close)}</button>
                    }.into_any(),
                }
            }}
            {move || run_error.get().map(|e| view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> })}
        </section>
    }
}
