// Tests run on the small `ci` profile unless told otherwise.
process.env.NANOMORPH_PROFILE = process.env.NANOMORPH_PROFILE ?? "ci";
process.env.NANOMORPH_QUIET = process.env.NANOMORPH_QUIET ?? "1";
