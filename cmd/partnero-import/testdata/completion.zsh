#compdef partnero-import
# zsh completion for partnero-import
# Load it with: source <(partnero-import completion zsh), or save it as
# _partnero-import in a directory on your $fpath: autoloaded, this file is
# the body of that function, which it defines again and calls.
compdef _partnero-import partnero-import

_partnero-import() {
    local -a commands
    commands=(
        'validate:check every row of each FILE, send nothing'
        'import:check, then create or invite each valid row'
        'rollback:undo what an import created: archive (or delete) exactly those records'
        'sandbox:a local Partnero-compatible API'
        'pull:read a whole program from another platform'\''s API into files import reads'
        'completion:print a shell completion script'
        'help:this help, a command'\''s, or a topic of the reference'
        'version:print the version and commit'
    )
    if (( CURRENT == 2 )); then
        _describe command commands
        return
    fi
    shift words
    (( CURRENT-- ))
    case $words[1] in
    validate)
        _arguments \
            '--against[read Partnero]' \
            '--api-key-file[a file holding the API key]:api-key-file:_files' \
            '--base-url[the API root, https except on a loopback address]:base-url: ' \
            '--concurrency[requests in flight at once, 1 to 64]:concurrency: ' \
            '--delimiter[force the CSV delimiter: one character, or tab]:delimiter: ' \
            '--emit[also write the valid rows as an import would send them]:emit:_files' \
            '--encoding[force the text encoding]:encoding:(utf-8 utf-16le utf-16be utf-32le utf-32be windows-1252)' \
            '--format[input format]:format:(csv jsonl xlsx)' \
            '--ignore-column[leave that column out: never read, checked or sent]:ignore-column: ' \
            '--kind[what FILE holds]:kind:(partners customers transactions)' \
            '--log-format[how standard error looks: for people, or one JSON object...]:log-format:(text json)' \
            '--map[map a field to a column header of the file]:map: ' \
            '--mode[the call a row without an action cell becomes]:mode:(create invite)' \
            '--no-progress[no progress bar or progress lines]' \
            '--preset[the header mapping of another platform'\''s export: firstpro...]:preset:(firstpromoter rewardful tapfiliate partnerstack partnero none list)' \
            '--progress-interval[how often a progress line is written when standard error...]:progress-interval: ' \
            '--rate[requests per second at most, evenly spaced, retries and l...]:rate: ' \
            '--report[the report]:report:_files' \
            '--retries[retries of a row after a throttled, failed or lost answer...]:retries: ' \
            '--sandbox[talk to an embedded Partnero-compatible sandbox instead:...]' \
            '--sandbox-preload[with --sandbox: partners, customers or transactions the s...]:sandbox-preload:_files' \
            '--sandbox-vary[with --sandbox: answer where the documentation is silent...]:sandbox-vary: ' \
            '--sheet[the XLSX sheet to read]:sheet: ' \
            '--skip-existing[with --against: report a partner already there as import...]' \
            '--split-name[split a full name in the name column at its last space in...]' \
            '--summary-json[also write the run'\''s summary there, as one JSON object]:summary-json:_files' \
            '--timeout[one request'\''s time limit, such as 30s, at most 10m]:timeout: ' \
            '--update-existing[with --against: report a partner already there as import...]' \
            '--verbose[log one line per row too]' \
            '--where[keep only the rows whose COLUMN]:where: ' \
            '*:validate:_files' ;;
    import)
        _arguments \
            '--api-key-file[a file holding the API key]:api-key-file:_files' \
            '--base-url[the API root, https except on a loopback address]:base-url: ' \
            '--concurrency[requests in flight at once, 1 to 64]:concurrency: ' \
            '--delimiter[force the CSV delimiter: one character, or tab]:delimiter: ' \
            '--dry-run[the same as validate: check every row, send nothing]' \
            '--emit[with --dry-run: also write the valid rows as an import wo...]:emit:_files' \
            '--encoding[force the text encoding]:encoding:(utf-8 utf-16le utf-16be utf-32le utf-32be windows-1252)' \
            '--format[input format]:format:(csv jsonl xlsx)' \
            '--ignore-column[leave that column out: never read, checked or sent]:ignore-column: ' \
            '--kind[what FILE holds]:kind:(partners customers transactions)' \
            '--limit[a canary: send only the first N rows that would be sent,...]:limit: ' \
            '--log-format[how standard error looks: for people, or one JSON object...]:log-format:(text json)' \
            '--map[map a field to a column header of the file]:map: ' \
            '--mode[the call a row without an action cell becomes]:mode:(create invite)' \
            '--no-progress[no progress bar or progress lines]' \
            '--preset[the header mapping of another platform'\''s export: firstpro...]:preset:(firstpromoter rewardful tapfiliate partnerstack partnero none list)' \
            '--progress-interval[how often a progress line is written when standard error...]:progress-interval: ' \
            '--rate[requests per second at most, evenly spaced, retries and l...]:rate: ' \
            '--report[the report]:report:_files' \
            '--resume[finish the run that wrote REPORT: the rows it shows creat...]:resume:_files' \
            '--retries[retries of a row after a throttled, failed or lost answer...]:retries: ' \
            '--sandbox[talk to an embedded Partnero-compatible sandbox instead:...]' \
            '--sandbox-preload[with --sandbox: partners, customers or transactions the s...]:sandbox-preload:_files' \
            '--sandbox-vary[with --sandbox: answer where the documentation is silent...]:sandbox-vary: ' \
            '--sheet[the XLSX sheet to read]:sheet: ' \
            '--skip-existing[a row whose email is already in Partnero is skipped/alrea...]' \
            '--split-name[split a full name in the name column at its last space in...]' \
            '--summary-json[also write the run'\''s summary there, as one JSON object]:summary-json:_files' \
            '--timeout[one request'\''s time limit, such as 30s, at most 10m]:timeout: ' \
            '--update-existing[a row whose email is already in Partnero updates that par...]' \
            '--verbose[log one line per row too]' \
            '--where[keep only the rows whose COLUMN]:where: ' \
            '*:import:_files' ;;
    rollback)
        _arguments \
            '--any-order[undo even without the import'\''s REPORT.referrals.csv, in n...]' \
            '--api-key-file[a file holding the API key]:api-key-file:_files' \
            '--base-url[the API root, https except on a loopback address]:base-url: ' \
            '--concurrency[requests in flight at once, 1 to 64]:concurrency: ' \
            '--delete[delete the records]' \
            '--dry-run[say what would be done, send nothing]' \
            '--log-format[how standard error looks: for people, or one JSON object...]:log-format:(text json)' \
            '--no-progress[no progress bar or progress lines]' \
            '--progress-interval[how often a progress line is written when standard error...]:progress-interval: ' \
            '--rate[requests per second at most, evenly spaced, retries and l...]:rate: ' \
            '--report[the rollback'\''s own report]:report:_files' \
            '--restore[undo a rollback that archived: REPORT is its report, and...]' \
            '--retries[retries of a row after a throttled, failed or lost answer...]:retries: ' \
            '--sandbox[talk to an embedded Partnero-compatible sandbox instead:...]' \
            '--sandbox-preload[with --sandbox: partners, customers or transactions the s...]:sandbox-preload:_files' \
            '--sandbox-vary[with --sandbox: answer where the documentation is silent...]:sandbox-vary: ' \
            '--summary-json[also write the run'\''s summary there, as one JSON object]:summary-json:_files' \
            '--timeout[one request'\''s time limit, such as 30s, at most 10m]:timeout: ' \
            '--verbose[log one line per row too]' \
            '--yes[do not ask for confirmation]' \
            '*:rollback:_files' ;;
    sandbox)
        _arguments \
            '--addr[where it listens]:addr: ' \
            '--api-key[the one bearer token it accepts]:api-key: ' \
            '--as[serve a fake of that platform'\''s API with a small program...]:as:(rewardful partnerstack tapfiliate firstpromoter tolt)' \
            '--burst-length[429s in a burst]:burst-length: ' \
            '--burst-rate[share of requests that start a burst of 429s]:burst-rate: ' \
            '--drop-rate[share of creates and invites stored, then the connection...]:drop-rate: ' \
            '--fail-after-store-rate[share of creates and invites stored, then answered 500]:fail-after-store-rate: ' \
            '--fail-rate[share of requests answered 500]:fail-rate: ' \
            '--latency[added to every answer]:latency: ' \
            '--preload[partners, customers or transactions that exist before the...]:preload:_files' \
            '--program[the program: invitations exist only in affiliate programs]:program:(affiliate referral)' \
            '--quiet-limit[send no X-RateLimit headers, only 429 and Retry-After]' \
            '--rate-limit[requests per minute before it answers 429]:rate-limit: ' \
            '--slow-delay[the delay of --slow-rate answers]:slow-delay: ' \
            '--slow-rate[share of creates and invites stored, then answered after...]:slow-rate: ' \
            '--vary[answer, where the documentation is silent, in one of many...]:vary: ' ;;
    pull)
        _arguments \
            '--amounts-in[tapfiliate only: the unit its amounts come in, cents]:amounts-in:(cents major)' \
            '--log-format[how standard error looks: for people, or one JSON object...]:log-format:(text json)' \
            '--no-progress[no progress bar]' \
            '--out[where partners.jsonl, customers.jsonl, transactions.jsonl...]:out: ' \
            '--program-id[the program to pull, for a source whose lists are a progr...]:program-id: ' \
            '--source-base-url[the source'\''s API root, for a test server]:source-base-url: ' \
            '--summary-json[also write the run'\''s summary there, as one JSON object]:summary-json:_files' \
            '*:pull:(rewardful partnerstack tapfiliate firstpromoter tolt)' ;;
    completion)
        _arguments \
            '*:completion:(bash zsh fish)' ;;
    help)
        _arguments \
            '*:help:(validate import rollback sandbox pull completion help version api canary cron files input migrate report resume speed terminal update validation)' ;;
    version)
        _arguments ;;
    esac
}

if [ "$funcstack[1]" = "_partnero-import" ]; then
    _partnero-import "$@"
fi
