package dev.deepgramagent.simulator;

/**
 * Audio the simulator can tell apart: 16 kHz mono linear16 chunks that start with the marker
 * {@code DGSQ} and their sequence number (transcribed as {@code chunk-<n>}), and silence (all zero).
 */
public final class TestAudio {

    /** 20 ms at 16 kHz mono linear16. */
    public static final int CHUNK_BYTES = 640;

    private TestAudio() {
    }

    public static byte[] chunk(int seq) {
        return chunk(seq, CHUNK_BYTES);
    }

    public static byte[] chunk(int seq, int size) {
        byte[] b = new byte[size];
        for (int i = 8; i < size; i++) {
            b[i] = (byte) (1 + (i * 31 + seq) % 200);
        }
        b[0] = 'D';
        b[1] = 'G';
        b[2] = 'S';
        b[3] = 'Q';
        b[4] = (byte) (seq >>> 24);
        b[5] = (byte) (seq >>> 16);
        b[6] = (byte) (seq >>> 8);
        b[7] = (byte) seq;
        return b;
    }

    public static byte[] silence() {
        return new byte[CHUNK_BYTES];
    }

    /** A WAV (RIFF) header: undecodable in the middle of a raw linear16 stream. */
    public static byte[] wavHeader() {
        byte[] b = new byte[44];
        b[0] = 'R';
        b[1] = 'I';
        b[2] = 'F';
        b[3] = 'F';
        b[8] = 'W';
        b[9] = 'A';
        b[10] = 'V';
        b[11] = 'E';
        return b;
    }
}
