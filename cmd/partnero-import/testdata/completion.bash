# bash completion for partnero-import
# Load it with: source <(partnero-import completion bash)
_partnero_import_offer() {
    if [[ $1 == FILES ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$1" -- "$cur"))
    fi
}
_partnero_import() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "validate import rollback sandbox pull completion help version" -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
    validate)
        case $prev in
        --api-key-file|-api-key-file) _partnero_import_offer "FILES"; return ;;
        --base-url|-base-url) _partnero_import_offer ""; return ;;
        --concurrency|-concurrency) _partnero_import_offer ""; return ;;
        --delimiter|-delimiter) _partnero_import_offer ""; return ;;
        --emit|-emit) _partnero_import_offer "FILES"; return ;;
        --encoding|-encoding) _partnero_import_offer "utf-8 utf-16le utf-16be utf-32le utf-32be windows-1252"; return ;;
        --format|-format) _partnero_import_offer "csv jsonl xlsx"; return ;;
        --ignore-column|-ignore-column) _partnero_import_offer ""; return ;;
        --kind|-kind) _partnero_import_offer "partners customers transactions"; return ;;
        --log-format|-log-format) _partnero_import_offer "text json"; return ;;
        --map|-map) _partnero_import_offer ""; return ;;
        --mode|-mode) _partnero_import_offer "create invite"; return ;;
        --preset|-preset) _partnero_import_offer "firstpromoter rewardful tapfiliate partnerstack partnero none list"; return ;;
        --progress-interval|-progress-interval) _partnero_import_offer ""; return ;;
        --rate|-rate) _partnero_import_offer ""; return ;;
        --report|-report) _partnero_import_offer "FILES"; return ;;
        --retries|-retries) _partnero_import_offer ""; return ;;
        --sandbox-preload|-sandbox-preload) _partnero_import_offer "FILES"; return ;;
        --sandbox-vary|-sandbox-vary) _partnero_import_offer ""; return ;;
        --sheet|-sheet) _partnero_import_offer ""; return ;;
        --summary-json|-summary-json) _partnero_import_offer "FILES"; return ;;
        --timeout|-timeout) _partnero_import_offer ""; return ;;
        --where|-where) _partnero_import_offer ""; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--against --api-key-file --base-url --concurrency --delimiter --emit --encoding --format --ignore-column --kind --log-format --map --mode --no-progress --preset --progress-interval --rate --report --retries --sandbox --sandbox-preload --sandbox-vary --sheet --skip-existing --split-name --summary-json --timeout --update-existing --verbose --where" -- "$cur"))
        else
            _partnero_import_offer "FILES"
        fi ;;
    import)
        case $prev in
        --api-key-file|-api-key-file) _partnero_import_offer "FILES"; return ;;
        --base-url|-base-url) _partnero_import_offer ""; return ;;
        --concurrency|-concurrency) _partnero_import_offer ""; return ;;
        --delimiter|-delimiter) _partnero_import_offer ""; return ;;
        --emit|-emit) _partnero_import_offer "FILES"; return ;;
        --encoding|-encoding) _partnero_import_offer "utf-8 utf-16le utf-16be utf-32le utf-32be windows-1252"; return ;;
        --format|-format) _partnero_import_offer "csv jsonl xlsx"; return ;;
        --ignore-column|-ignore-column) _partnero_import_offer ""; return ;;
        --kind|-kind) _partnero_import_offer "partners customers transactions"; return ;;
        --limit|-limit) _partnero_import_offer ""; return ;;
        --log-format|-log-format) _partnero_import_offer "text json"; return ;;
        --map|-map) _partnero_import_offer ""; return ;;
        --mode|-mode) _partnero_import_offer "create invite"; return ;;
        --preset|-preset) _partnero_import_offer "firstpromoter rewardful tapfiliate partnerstack partnero none list"; return ;;
        --progress-interval|-progress-interval) _partnero_import_offer ""; return ;;
        --rate|-rate) _partnero_import_offer ""; return ;;
        --report|-report) _partnero_import_offer "FILES"; return ;;
        --resume|-resume) _partnero_import_offer "FILES"; return ;;
        --retries|-retries) _partnero_import_offer ""; return ;;
        --sandbox-preload|-sandbox-preload) _partnero_import_offer "FILES"; return ;;
        --sandbox-vary|-sandbox-vary) _partnero_import_offer ""; return ;;
        --sheet|-sheet) _partnero_import_offer ""; return ;;
        --summary-json|-summary-json) _partnero_import_offer "FILES"; return ;;
        --timeout|-timeout) _partnero_import_offer ""; return ;;
        --where|-where) _partnero_import_offer ""; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--api-key-file --base-url --concurrency --delimiter --dry-run --emit --encoding --format --ignore-column --kind --limit --log-format --map --mode --no-progress --preset --progress-interval --rate --report --resume --retries --sandbox --sandbox-preload --sandbox-vary --sheet --skip-existing --split-name --summary-json --timeout --update-existing --verbose --where" -- "$cur"))
        else
            _partnero_import_offer "FILES"
        fi ;;
    rollback)
        case $prev in
        --api-key-file|-api-key-file) _partnero_import_offer "FILES"; return ;;
        --base-url|-base-url) _partnero_import_offer ""; return ;;
        --concurrency|-concurrency) _partnero_import_offer ""; return ;;
        --log-format|-log-format) _partnero_import_offer "text json"; return ;;
        --progress-interval|-progress-interval) _partnero_import_offer ""; return ;;
        --rate|-rate) _partnero_import_offer ""; return ;;
        --report|-report) _partnero_import_offer "FILES"; return ;;
        --retries|-retries) _partnero_import_offer ""; return ;;
        --sandbox-preload|-sandbox-preload) _partnero_import_offer "FILES"; return ;;
        --sandbox-vary|-sandbox-vary) _partnero_import_offer ""; return ;;
        --summary-json|-summary-json) _partnero_import_offer "FILES"; return ;;
        --timeout|-timeout) _partnero_import_offer ""; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--any-order --api-key-file --base-url --concurrency --delete --dry-run --log-format --no-progress --progress-interval --rate --report --restore --retries --sandbox --sandbox-preload --sandbox-vary --summary-json --timeout --verbose --yes" -- "$cur"))
        else
            _partnero_import_offer "FILES"
        fi ;;
    sandbox)
        case $prev in
        --addr|-addr) _partnero_import_offer ""; return ;;
        --api-key|-api-key) _partnero_import_offer ""; return ;;
        --as|-as) _partnero_import_offer "rewardful partnerstack tapfiliate firstpromoter tolt"; return ;;
        --burst-length|-burst-length) _partnero_import_offer ""; return ;;
        --burst-rate|-burst-rate) _partnero_import_offer ""; return ;;
        --drop-rate|-drop-rate) _partnero_import_offer ""; return ;;
        --fail-after-store-rate|-fail-after-store-rate) _partnero_import_offer ""; return ;;
        --fail-rate|-fail-rate) _partnero_import_offer ""; return ;;
        --latency|-latency) _partnero_import_offer ""; return ;;
        --preload|-preload) _partnero_import_offer "FILES"; return ;;
        --program|-program) _partnero_import_offer "affiliate referral"; return ;;
        --rate-limit|-rate-limit) _partnero_import_offer ""; return ;;
        --slow-delay|-slow-delay) _partnero_import_offer ""; return ;;
        --slow-rate|-slow-rate) _partnero_import_offer ""; return ;;
        --vary|-vary) _partnero_import_offer ""; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--addr --api-key --as --burst-length --burst-rate --drop-rate --fail-after-store-rate --fail-rate --latency --preload --program --quiet-limit --rate-limit --slow-delay --slow-rate --vary" -- "$cur"))
        else
            _partnero_import_offer ""
        fi ;;
    pull)
        case $prev in
        --amounts-in|-amounts-in) _partnero_import_offer "cents major"; return ;;
        --log-format|-log-format) _partnero_import_offer "text json"; return ;;
        --out|-out) _partnero_import_offer ""; return ;;
        --program-id|-program-id) _partnero_import_offer ""; return ;;
        --source-base-url|-source-base-url) _partnero_import_offer ""; return ;;
        --summary-json|-summary-json) _partnero_import_offer "FILES"; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--amounts-in --log-format --no-progress --out --program-id --source-base-url --summary-json" -- "$cur"))
        else
            _partnero_import_offer "rewardful partnerstack tapfiliate firstpromoter tolt"
        fi ;;
    completion)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "" -- "$cur"))
        else
            _partnero_import_offer "bash zsh fish"
        fi ;;
    help)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "" -- "$cur"))
        else
            _partnero_import_offer "validate import rollback sandbox pull completion help version api canary cron files input migrate report resume speed terminal update validation"
        fi ;;
    version)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "" -- "$cur"))
        else
            _partnero_import_offer ""
        fi ;;
    esac
}
complete -F _partnero_import partnero-import
