package dev.jobline.sweeper;

/** What one sweep read and did. */
public record SweepReport(int itemsRead, int requeued, int resent, int failed, int deferred, int raced, boolean complete,
                          int keysFreed, int released, int chainCancelled) {

    public int recovered() {
        return requeued + resent + failed;
    }

    static final class Counter {
        private int itemsRead;
        private int requeued;
        private int resent;
        private int failed;
        private int deferred;
        private int raced;
        private boolean complete = true;
        private int keysFreed;
        private int released;
        private int chainCancelled;

        /** A WAITING job whose parents had all succeeded, its release lost: released now. */
        void released() {
            released++;
        }

        /** A WAITING job whose parent did not succeed, or was never stored (a flow not stored whole): cancelled now. */
        void chainCancelled() {
            chainCancelled++;
        }

        void read(int items) {
            itemsRead += items;
        }

        void requeued() {
            requeued++;
        }

        void resent() {
            resent++;
        }

        void failed() {
            failed++;
        }

        void deferred() {
            deferred++;
        }

        void raced() {
            raced++;
        }

        void keysFreed(int keys) {
            keysFreed += keys;
        }

        void stoppedEarly() {
            complete = false;
        }

        SweepReport done() {
            return new SweepReport(itemsRead, requeued, resent, failed, deferred, raced, complete, keysFreed,
                    released, chainCancelled);
        }
    }
}
