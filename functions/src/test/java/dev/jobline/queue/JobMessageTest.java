package dev.jobline.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobMessageTest {
    @Test
    void theBodyCarriesTheJobIdAndNothingElse() {
        String body = new JobMessage("job-1", "tenant-a", "echo", dev.jobline.job.Priority.NORMAL).body();
        assertEquals("{\"jobId\":\"job-1\"}", body);
        assertEquals(Optional.of("job-1"), JobMessage.jobIdFrom(body));
    }

    @Test
    void bodiesThatAreNotOursHaveNoJobId() {
        assertFalse(JobMessage.jobIdFrom("not json").isPresent());
        assertFalse(JobMessage.jobIdFrom("{\"jobId\":42}").isPresent());
        assertFalse(JobMessage.jobIdFrom("{\"id\":\"job-1\"}").isPresent());
        assertFalse(JobMessage.jobIdFrom("").isPresent());
        assertTrue(JobMessage.jobIdFrom("{\"jobId\":\"a\",\"extra\":1}").isPresent());
    }
}
