// Prometheus text exposition for /metrics: counters the pipeline bumps and
// gauges read from the links when scraped. No client library: the format
// is a few lines of text.

/** Labels are a metric's label set. */
export type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const parts = keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

/** Counter is a monotonically increasing value per label set. */
export class Counter {
  readonly name: string;
  readonly help: string;
  private values = new Map<string, { labels: Labels; value: number }>();

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  /** inc adds n (default 1) for the label set. */
  inc(labels: Labels = {}, n = 1): void {
    const key = labelText(labels);
    const v = this.values.get(key);
    if (v) v.value += n;
    else this.values.set(key, { labels, value: n });
  }

  /** get returns the value for a label set (0 when never bumped). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

/** GaugeSample is one gauge value. */
export interface GaugeSample {
  labels: Labels;
  value: number;
}

/** Gauge is a value read at scrape time. */
export class Gauge {
  readonly name: string;
  readonly help: string;
  private readonly collect: () => GaugeSample[];

  constructor(name: string, help: string, collect: () => GaugeSample[]) {
    this.name = name;
    this.help = help;
    this.collect = collect;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { labels, value } of this.collect()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

/**
 * Metrics holds the bridge's counters (labelled by link name) and the
 * gauges registered by whoever knows the live values.
 */
export class Metrics {
  readonly submitted = new Counter('smsc_bridge_submitted_total', 'submit_sm accepted by the SMSC (one per part)');
  readonly sent = new Counter('smsc_bridge_sent_total', 'deliveries written as sent');
  readonly delivered = new Counter('smsc_bridge_delivered_total', 'deliveries moved to delivered by receipts');
  readonly failed = new Counter('smsc_bridge_failed_total', 'deliveries that ended failed');
  readonly retried = new Counter('smsc_bridge_retried_total', 'submit attempts retried after a temporary error');
  readonly throttled = new Counter('smsc_bridge_throttled_total', 'ESME_RTHROTTLED answers');
  readonly inbound = new Counter('smsc_bridge_inbound_total', 'inbound texts handed to PocketBase');
  readonly receipts = new Counter('smsc_bridge_receipts_total', 'delivery receipts received');
  readonly reconnects = new Counter('smsc_bridge_reconnects_total', 'bound sessions that ended and were reopened');
  private readonly gauges: Gauge[] = [];
  private readonly counters: Counter[] = [
    this.submitted,
    this.sent,
    this.delivered,
    this.failed,
    this.retried,
    this.throttled,
    this.inbound,
    this.receipts,
    this.reconnects,
  ];

  /** addGauge registers a gauge read at scrape time. */
  addGauge(name: string, help: string, collect: () => GaugeSample[]): void {
    this.gauges.push(new Gauge(name, help, collect));
  }

  /** render returns the Prometheus text format. */
  render(): string {
    return [...this.counters, ...this.gauges].map((m) => m.render()).join('\n') + '\n';
  }
}
