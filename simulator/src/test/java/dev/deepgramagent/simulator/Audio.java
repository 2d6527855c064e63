package dev.deepgramagent.simulator;

/** Test audio: 16 kHz mono linear16 chunks that carry their sequence number, and silence. */
final class Audio {

    static final int CHUNK_BYTES = 640; // 20 ms at 16 kHz mono linear16

    private Audio() {
    }

    static byte[] chunk(int seq) {
        return chunk(seq, CHUNK_BYTES);
    }

    static byte[] chunk(int seq, int size) {
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

    static byte[] silence() {
        return new byte[CHUNK_BYTES];
    }

    /** A WAV (RIFF) header: undecodable in the middle of a raw linear16 stream. */
    static byte[] wavHeader() {
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
