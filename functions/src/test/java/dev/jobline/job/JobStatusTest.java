package dev.jobline.job;

import static dev.jobline.job.JobStatus.CANCELLED;
import static dev.jobline.job.JobStatus.FAILED;
import static dev.jobline.job.JobStatus.QUEUED;
import static dev.jobline.job.JobStatus.RUNNING;
import static dev.jobline.job.JobStatus.SUCCEEDED;
import static dev.jobline.job.JobStatus.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStatusTest {
    /** The intended table, written out by hand so the enum's switch is checked against it. */
    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
            // released when every parent succeeded, cancelled when one did not (or by its tenant)
            WAITING, EnumSet.of(QUEUED, CANCELLED),
            QUEUED, EnumSet.of(RUNNING, CANCELLED, FAILED),
            // RUNNING to RUNNING: a new attempt takes over one whose lease expired
            RUNNING, EnumSet.of(QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(JobStatus.class),
            FAILED, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.of(QUEUED));

    static Stream<Arguments> everyPair() {
        return Stream.of(JobStatus.values())
                .flatMap(from -> Stream.of(JobStatus.values()).map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void transitionTableAllowsExactlyTheIntendedMoves(JobStatus from, JobStatus to) {
        assertEquals(ALLOWED.get(from).contains(to), from.canMoveTo(to));
    }

    @Test
    void aNewJobStartsQueuedOrWaitingForItsParentsAndNowhereElse() {
        assertEquals(EnumSet.of(QUEUED, WAITING), EnumSet.copyOf(Stream.of(JobStatus.values()).filter(JobStatus::canStartAs).toList()));
    }

    @Test
    void onlyWaitingQueuedAndRunningAreInFlight() {
        assertEquals(EnumSet.of(WAITING, QUEUED, RUNNING),
                EnumSet.copyOf(Stream.of(JobStatus.values()).filter(JobStatus::isInFlight).toList()));
    }

    @Test
    void terminalStatesAreTheThreeEnds() {
        assertEquals(EnumSet.of(SUCCEEDED, FAILED, CANCELLED),
                EnumSet.copyOf(Stream.of(JobStatus.values()).filter(JobStatus::isTerminal).toList()));
    }
}
