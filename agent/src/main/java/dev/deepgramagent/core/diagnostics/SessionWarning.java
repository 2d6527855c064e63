package dev.deepgramagent.core.diagnostics;

import java.util.Locale;

/**
 * Problems the agent names before Deepgram fails on them: audio that does not match what the URL
 * declares, and settings Deepgram rejects or silently misapplies. The {@link #label()} is the
 * {@code warning} label of {@code deepgram_agent_session_warnings_total} and a runbook anchor, so
 * it never changes once released. docs/metrics.md and docs/runbook.md list the same set.
 */
public enum SessionWarning {
    /** The first audio frame is a container (WAV, Ogg, FLAC, MP3, WebM) but the URL declares raw audio. */
    CONTAINER_IN_RAW_STREAM,
    /** A WAV header's sample rate, or a codec's required one, differs from the URL's sample_rate. */
    SAMPLE_RATE_MISMATCH,
    /** A WAV header's channel count differs from the URL's channels. */
    CHANNELS_MISMATCH,
    /** A raw encoding without sample_rate: Deepgram rejects the handshake. */
    MISSING_SAMPLE_RATE,
    /** Audio frames that cannot hold whole samples (an odd byte count for mono linear16). */
    PARTIAL_SAMPLES,
    /** utterance_end_ms without interim_results=true: Deepgram requires both. */
    UTTERANCE_END_WITHOUT_INTERIM_RESULTS,
    /** utterance_end_ms outside 1000-5000. */
    UTTERANCE_END_OUT_OF_RANGE,
    /** endpointing neither a whole number of milliseconds nor false. */
    ENDPOINTING_INVALID,
    /** multichannel=true without channels. */
    MULTICHANNEL_WITHOUT_CHANNELS,
    /** A Flux model on /v1/listen, or a missing or non-Flux model on /v2/listen: rejected at the handshake. */
    MODEL_ENDPOINT_MISMATCH,
    /** eot_threshold, eager_eot_threshold or eot_timeout_ms outside Flux's ranges. */
    FLUX_THRESHOLD_OUT_OF_RANGE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This warning's bit in a session's warning set. */
    public int bit() {
        return 1 << ordinal();
    }

    /** One finding: the warning and what was seen (parameter names, declared and detected formats; never audio or free-form values). */
    public static final class Finding {
        public final SessionWarning warning;
        public final String detail;

        public Finding(SessionWarning warning, String detail) {
            this.warning = warning;
            this.detail = detail;
        }

        @Override
        public String toString() {
            return warning.label() + ": " + detail;
        }
    }
}
