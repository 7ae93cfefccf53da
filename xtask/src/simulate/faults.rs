//! The faults a festival night brings, each with its own chance per opportunity and its own
//! random stream: a failing run is shortened by turning kinds off one at a time, and what
//! stays on is the least that shows the failure.

use super::rng::Rng;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Kind {
    /// A call never reaches its shard.
    LostRequest,
    /// A shard did the work, but its answer is lost.
    LostReply,
    /// A call reaches its shard twice.
    DuplicateRequest,
    /// An object loses its memory between two steps (storage kept).
    Reset,
    /// A storage read, write, list or alarm setting fails.
    StorageFails,
    /// The runtime loses an alarm.
    AlarmLost,
    /// A send to the queue fails.
    QueueSendFails,
    /// The queue loses a message it had taken.
    QueueLoses,
    /// The queue delivers a message again after it was acknowledged.
    QueueDuplicates,
    /// Origin goes down for a long span.
    OriginDown,
    /// Origin refuses every batch (a wrong secret, a clock skewed past five minutes).
    OriginRefuses,
    /// An object's clock runs seconds off.
    ClockSkew,
    /// An isolate orders with a schedule older than origin's.
    StaleSchedule,
}

pub const KINDS: [Kind; 13] = [
    Kind::LostRequest,
    Kind::LostReply,
    Kind::DuplicateRequest,
    Kind::Reset,
    Kind::StorageFails,
    Kind::AlarmLost,
    Kind::QueueSendFails,
    Kind::QueueLoses,
    Kind::QueueDuplicates,
    Kind::OriginDown,
    Kind::OriginRefuses,
    Kind::ClockSkew,
    Kind::StaleSchedule,
];

impl Kind {
    /// Chance per opportunity, per mille.
    fn rate(self) -> u64 {
        match self {
            Kind::LostRequest | Kind::LostReply => 30,
            Kind::DuplicateRequest => 20,
            Kind::Reset => 8,
            Kind::StorageFails => 15,
            Kind::AlarmLost => 50,
            Kind::QueueSendFails => 40,
            Kind::QueueLoses => 20,
            Kind::QueueDuplicates => 30,
            Kind::OriginDown | Kind::OriginRefuses => 4,
            Kind::ClockSkew => 5,
            Kind::StaleSchedule => 100,
        }
    }
}

pub struct Faults {
    streams: Vec<Rng>,
    enabled: Vec<bool>,
    /// Randomness that is not a fault: ids, choices of the actors.
    pub choices: Rng,
    /// Once the night is over, nothing fails any more.
    pub healing: bool,
}

impl Faults {
    pub fn new(seed: u64, enabled: &[Kind]) -> Self {
        let streams = KINDS
            .iter()
            .enumerate()
            .map(|(i, _)| Rng::new(seed ^ ((i as u64 + 1) << 56)))
            .collect();
        Faults {
            streams,
            enabled: KINDS.iter().map(|kind| enabled.contains(kind)).collect(),
            choices: Rng::new(seed),
            healing: false,
        }
    }

    /// Whether a fault of `kind` strikes at this opportunity. The stream advances whether or
    /// not the kind is on, so other kinds draw the same.
    pub fn strikes(&mut self, kind: Kind) -> bool {
        let index = KINDS
            .iter()
            .position(|k| *k == kind)
            .expect("every kind is listed");
        let hit = self.streams[index].chance(kind.rate());
        hit && self.enabled[index] && !self.healing
    }

    pub fn random(&mut self) -> u128 {
        self.choices.u128()
    }
}
