-- get: ARGV 2 id.  The job's fields plus "position", or {} when unknown.
return job_fields(ARGV[2])
