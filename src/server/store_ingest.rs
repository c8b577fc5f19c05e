//! The sqlx [`Store`] as the server's [`Ingest`]: each group-commit batch is
//! one `record_deliveries` transaction. Jobs are enqueued there and run by
//! [`StoreRunner`](super::store_runner::StoreRunner).

use std::sync::Arc;

use super::ingest::{BoxFuture, IncomingDelivery, Ingest, IngestError, Recorded};
use crate::core::ids::{InstallationId, RepoName};
use crate::store::{self, DeliveryWithJobs, NewDelivery, Store};

/// Adapts a [`Store`] to [`Ingest`].
#[derive(Debug)]
pub struct StoreIngest<S> {
    store: Arc<S>,
}

impl<S> StoreIngest<S> {
    /// Wraps a connected, migrated store.
    pub fn new(store: Arc<S>) -> Self {
        Self { store }
    }
}

fn to_store(d: IncomingDelivery) -> DeliveryWithJobs {
    let received_at = d.received_at;
    DeliveryWithJobs {
        delivery: NewDelivery {
            id: d.id,
            event: d.event,
            action: d.action,
            installation_id: d.installation_id.map(InstallationId),
            repo: d.repo.and_then(|r| r.parse::<RepoName>().ok()),
            received_at,
            payload: d.payload,
        },
        jobs: d
            .jobs
            .into_iter()
            .map(|j| store::NewJob::new(j.kind, j.payload, received_at).dedupe(j.dedupe_key))
            .collect(),
    }
}

impl<S: Store + 'static> Ingest for StoreIngest<S> {
    fn record_batch(
        &self,
        batch: Vec<IncomingDelivery>,
    ) -> BoxFuture<'_, Vec<Result<Recorded, IngestError>>> {
        Box::pin(async move {
            let n = batch.len();
            let rows: Vec<DeliveryWithJobs> = batch.into_iter().map(to_store).collect();
            match self.store.record_deliveries(&rows).await {
                Ok(outcomes) => outcomes
                    .into_iter()
                    .map(|o| match o {
                        Ok(store::Recorded::Inserted) => Ok(Recorded::Inserted),
                        Ok(store::Recorded::Duplicate) => Ok(Recorded::Duplicate),
                        Err(e) => Err(IngestError::Store {
                            message: e.to_string(),
                        }),
                    })
                    .collect(),
                Err(e) => {
                    let error = IngestError::Store {
                        message: e.to_string(),
                    };
                    vec![Err(error); n]
                }
            }
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.store.readiness().await.is_ok() })
    }
}
